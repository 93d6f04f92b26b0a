ALTER TABLE "policy_changes" DROP CONSTRAINT "policy_changes_kind";--> statement-breakpoint
ALTER TABLE "policy_changes" ADD CONSTRAINT "policy_changes_kind" CHECK ("policy_changes"."kind" in ('lpr_fixing','policy_version','taxonomy_version','institution_categories','check_thresholds'));
