ALTER TABLE "disclosure_loans" ADD COLUMN "borrower_credit_code" text;--> statement-breakpoint
ALTER TABLE "disclosure_loans" ADD COLUMN "project_name" text;--> statement-breakpoint
ALTER TABLE "disclosure_loans" ADD COLUMN "province" text;--> statement-breakpoint
ALTER TABLE "disclosure_loans" ADD COLUMN "project_reduction_centitonnes" bigint;--> statement-breakpoint
-- loans frozen before: their borrower, project name, province and project reduction as the loans and projects stand now
UPDATE "disclosure_loans" dl SET "borrower_credit_code" = l."borrower_credit_code", "project_name" = p."name", "province" = p."province",
  "project_reduction_centitonnes" = p."annual_reduction_centitonnes"
FROM "loans" l JOIN "projects" p ON p."id" = l."project_id"
WHERE l."id" = dl."loan_id" AND dl."borrower_credit_code" IS NULL;
