CREATE TABLE "approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "approvals_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"input" jsonb NOT NULL,
	"resource" text NOT NULL,
	"resource_id" text NOT NULL,
	"institution_id" uuid,
	"summary" text NOT NULL,
	"reason" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"proposed_by" uuid NOT NULL,
	"proposed_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"result" jsonb,
	CONSTRAINT "approvals_status_values" CHECK ("approvals"."status" in ('pending','confirmed','declined','withdrawn')),
	CONSTRAINT "approvals_decided" CHECK (("approvals"."status" = 'pending') = ("approvals"."decided_by" is null) and ("approvals"."decided_by" is null) = ("approvals"."decided_at" is null)),
	CONSTRAINT "approvals_four_eyes" CHECK ("approvals"."status" <> 'confirmed' or "approvals"."decided_by" <> "approvals"."proposed_by"),
	CONSTRAINT "approvals_withdrawn_by_proposer" CHECK ("approvals"."status" <> 'withdrawn' or "approvals"."decided_by" = "approvals"."proposed_by")
);
--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_proposed_by_users_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "approvals_status" ON "approvals" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "approvals_resource" ON "approvals" USING btree ("resource","resource_id");