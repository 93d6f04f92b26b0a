ALTER TABLE "disclosure_loans" ADD COLUMN "project_total_investment_fen" bigint;--> statement-breakpoint
-- loans frozen before: the project's total investment as the loans and projects stand now
UPDATE "disclosure_loans" dl SET "project_total_investment_fen" = p."total_investment_fen"
FROM "loans" l JOIN "projects" p ON p."id" = l."project_id"
WHERE l."id" = dl."loan_id" AND dl."project_total_investment_fen" IS NULL;
