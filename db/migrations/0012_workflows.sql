ALTER TABLE "verification_findings" ADD COLUMN "supersedes" uuid;--> statement-breakpoint
ALTER TABLE "verification_findings" ADD COLUMN "reason" text;--> statement-breakpoint
ALTER TABLE "verification_findings" ADD COLUMN "superseded_by" uuid;--> statement-breakpoint
ALTER TABLE "verification_findings" ADD COLUMN "superseded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "verification_findings" ADD CONSTRAINT "verification_findings_supersedes_verification_findings_id_fk" FOREIGN KEY ("supersedes") REFERENCES "public"."verification_findings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_findings" ADD CONSTRAINT "verification_findings_superseded_by_verification_findings_id_fk" FOREIGN KEY ("superseded_by") REFERENCES "public"."verification_findings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "verification_findings_current" ON "verification_findings" USING btree ("assignment_id","loan_id","check") WHERE "verification_findings"."superseded_at" is null;