CREATE TABLE "policy_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "policy_changes_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"effective_on" date NOT NULL,
	"version_id" text,
	"data" jsonb NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"proposed_by" uuid NOT NULL,
	"proposed_at" timestamp with time zone NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	CONSTRAINT "policy_changes_kind" CHECK ("policy_changes"."kind" in ('lpr_fixing','policy_version','taxonomy_version')),
	CONSTRAINT "policy_changes_status_values" CHECK ("policy_changes"."status" in ('pending','confirmed','declined')),
	CONSTRAINT "policy_changes_decided" CHECK (("policy_changes"."status" = 'pending') = ("policy_changes"."decided_by" is null) and ("policy_changes"."decided_by" is null) = ("policy_changes"."decided_at" is null)),
	CONSTRAINT "policy_changes_four_eyes" CHECK ("policy_changes"."status" <> 'confirmed' or "policy_changes"."decided_by" <> "policy_changes"."proposed_by")
);
--> statement-breakpoint
ALTER TABLE "policy_changes" ADD CONSTRAINT "policy_changes_proposed_by_users_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_changes" ADD CONSTRAINT "policy_changes_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "policy_changes_live_date" ON "policy_changes" USING btree ("kind","effective_on") WHERE "policy_changes"."status" <> 'declined';--> statement-breakpoint
CREATE UNIQUE INDEX "policy_changes_live_version" ON "policy_changes" USING btree ("kind","version_id") WHERE "policy_changes"."status" <> 'declined' and "policy_changes"."version_id" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "policy_changes_seq" ON "policy_changes" USING btree ("seq");--> statement-breakpoint
CREATE INDEX "policy_changes_status" ON "policy_changes" USING btree ("status","seq");