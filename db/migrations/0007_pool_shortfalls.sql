CREATE TABLE "pool_shortfalls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"facility_id" uuid NOT NULL,
	"raised_on" date NOT NULL,
	"due_on" date NOT NULL,
	"amount_fen" bigint NOT NULL,
	"tranche_outstanding_fen" bigint NOT NULL,
	"pool_outstanding_fen" bigint NOT NULL,
	"checked_on" date NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"cleared_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "pool_shortfalls_amount_nonnegative" CHECK ("pool_shortfalls"."amount_fen" >= 0),
	CONSTRAINT "pool_shortfalls_due_after_raised" CHECK ("pool_shortfalls"."due_on" >= "pool_shortfalls"."raised_on")
);
--> statement-breakpoint
ALTER TABLE "pool_shortfalls" ADD CONSTRAINT "pool_shortfalls_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pool_shortfalls" ADD CONSTRAINT "pool_shortfalls_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "pool_shortfalls" ADD CONSTRAINT "pool_shortfalls_facility_id_facilities_id_fk" FOREIGN KEY ("facility_id") REFERENCES "public"."facilities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "pool_shortfalls_institution" ON "pool_shortfalls" USING btree ("institution_id","status");--> statement-breakpoint
CREATE INDEX "pool_shortfalls_status" ON "pool_shortfalls" USING btree ("status","raised_on");--> statement-breakpoint
CREATE UNIQUE INDEX "pool_shortfalls_open_per_facility" ON "pool_shortfalls" USING btree ("facility_id") WHERE "pool_shortfalls"."status" = 'open';