ALTER TABLE "verification_findings" ADD COLUMN "supersedes" uuid;--> statement-breakpoint
ALTER TABLE "verification_findings" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "verification_findings" ADD COLUMN "superseded_by" uuid;--> statement-breakpoint
ALTER TABLE "verification_findings" ADD COLUMN "superseded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "verification_findings" ADD CONSTRAINT "verification_findings_supersedes_verification_findings_id_fk" FOREIGN KEY ("supersedes") REFERENCES "public"."verification_findings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_findings" ADD CONSTRAINT "verification_findings_superseded_by_verification_findings_id_fk" FOREIGN KEY ("superseded_by") REFERENCES "public"."verification_findings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- findings recorded twice on one loan and check before corrections existed: the latest is current, the earlier ones are superseded by it
UPDATE "verification_findings" AS f SET "superseded_by" = l."id", "superseded_at" = l."created_at"
FROM (
  SELECT DISTINCT ON ("assignment_id", "loan_id", "check") "id", "assignment_id", "loan_id", "check", "created_at"
  FROM "verification_findings" ORDER BY "assignment_id", "loan_id", "check", "created_at" DESC, "id" DESC
) AS l
WHERE f."assignment_id" = l."assignment_id" AND f."loan_id" = l."loan_id" AND f."check" = l."check" AND f."id" <> l."id";--> statement-breakpoint
CREATE UNIQUE INDEX "verification_findings_current" ON "verification_findings" USING btree ("assignment_id","loan_id","check") WHERE "verification_findings"."superseded_at" is null;