ALTER TABLE "disclosure_versions" DROP CONSTRAINT "disclosure_versions_status";--> statement-breakpoint
ALTER TABLE "application_loans" ADD COLUMN "position" integer;--> statement-breakpoint
ALTER TABLE "disclosure_versions" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "disclosure_versions" ADD COLUMN "added_loan_ids" jsonb;--> statement-breakpoint
ALTER TABLE "disclosure_versions" ADD CONSTRAINT "disclosure_versions_reason" CHECK ("disclosure_versions"."reason" is null or "disclosure_versions"."reason" in ('support_after_compile'));--> statement-breakpoint
ALTER TABLE "disclosure_versions" ADD CONSTRAINT "disclosure_versions_status" CHECK ("disclosure_versions"."status" in ('compiled','submitted','under_verification','verified','rejected','published','superseded'));