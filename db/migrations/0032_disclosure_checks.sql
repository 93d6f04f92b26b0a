CREATE TABLE "disclosure_check_confirmations" (
	"version_id" uuid NOT NULL,
	"check" text NOT NULL,
	"subject" text NOT NULL,
	"reason" text NOT NULL,
	"confirmed_by" uuid NOT NULL,
	"confirmed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "disclosure_check_confirmations_version_id_check_subject_pk" PRIMARY KEY("version_id","check","subject")
);--> statement-breakpoint
ALTER TABLE "disclosure_check_confirmations" ADD CONSTRAINT "disclosure_check_confirmations_version_id_disclosure_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."disclosure_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disclosure_check_confirmations" ADD CONSTRAINT "disclosure_check_confirmations_confirmed_by_users_id_fk" FOREIGN KEY ("confirmed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;
