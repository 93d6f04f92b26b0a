ALTER TABLE "disclosure_versions" DROP CONSTRAINT "disclosure_versions_reason";--> statement-breakpoint
ALTER TABLE "disclosure_versions" ADD CONSTRAINT "disclosure_versions_reason" CHECK ("disclosure_versions"."reason" is null or "disclosure_versions"."reason" in ('support_after_compile','support_withdrawn','loan_changed','history_imported','project_decided','operator_correction'));
