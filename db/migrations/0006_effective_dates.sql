CREATE TABLE "bookings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subject_kind" text NOT NULL,
	"subject_id" uuid NOT NULL,
	"institution_id" uuid,
	"command" text NOT NULL,
	"effective_on" date NOT NULL,
	"booked_at" timestamp with time zone NOT NULL,
	"booked_by" uuid,
	"reason" text,
	"backdated" boolean NOT NULL,
	CONSTRAINT "bookings_subject_kind" CHECK ("bookings"."subject_kind" in ('operation','application','facility','collateral','loan','journal_entry','institution'))
);
--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "migration_mode_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "migration_mode_reason" text;--> statement-breakpoint
ALTER TABLE "institutions" ADD COLUMN "migration_mode_set_by" uuid;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bookings" ADD CONSTRAINT "bookings_booked_by_users_id_fk" FOREIGN KEY ("booked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "bookings_subject" ON "bookings" USING btree ("subject_kind","subject_id","effective_on");