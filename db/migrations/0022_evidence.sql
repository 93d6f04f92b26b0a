CREATE TABLE "evidence_file_contents" (
	"content_sha256" text PRIMARY KEY NOT NULL,
	"data" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "evidence_files" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"content_sha256" text NOT NULL,
	"media_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"storage" text DEFAULT 'postgresql' NOT NULL,
	"institution_id" uuid NOT NULL,
	"uploaded_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "evidence_files_content_sha256_unique" UNIQUE("content_sha256"),
	CONSTRAINT "evidence_files_sha256" CHECK ("evidence_files"."content_sha256" ~ '^[0-9a-f]{64}$'),
	CONSTRAINT "evidence_files_media_type" CHECK ("evidence_files"."media_type" in ('application/pdf', 'image/png', 'image/jpeg', 'image/webp')),
	CONSTRAINT "evidence_files_size" CHECK ("evidence_files"."size_bytes" > 0),
	CONSTRAINT "evidence_files_storage" CHECK ("evidence_files"."storage" in ('postgresql', 's3'))
);
--> statement-breakpoint
CREATE TABLE "verification_queries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"assignment_id" uuid NOT NULL,
	"version_id" uuid NOT NULL,
	"loan_id" uuid NOT NULL,
	"text" text NOT NULL,
	"raised_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "verification_query_answers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"query_id" uuid NOT NULL,
	"text" text NOT NULL,
	"answered_by" uuid NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "evidence_file_contents" ADD CONSTRAINT "evidence_file_contents_content_sha256_evidence_files_content_sha256_fk" FOREIGN KEY ("content_sha256") REFERENCES "public"."evidence_files"("content_sha256") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_files" ADD CONSTRAINT "evidence_files_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "evidence_files" ADD CONSTRAINT "evidence_files_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_queries" ADD CONSTRAINT "verification_queries_assignment_id_verification_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."verification_assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_queries" ADD CONSTRAINT "verification_queries_version_id_disclosure_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."disclosure_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_queries" ADD CONSTRAINT "verification_queries_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_queries" ADD CONSTRAINT "verification_queries_raised_by_users_id_fk" FOREIGN KEY ("raised_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_query_answers" ADD CONSTRAINT "verification_query_answers_query_id_verification_queries_id_fk" FOREIGN KEY ("query_id") REFERENCES "public"."verification_queries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_query_answers" ADD CONSTRAINT "verification_query_answers_answered_by_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "verification_queries_version" ON "verification_queries" USING btree ("version_id","created_at");--> statement-breakpoint
CREATE INDEX "verification_query_answers_query" ON "verification_query_answers" USING btree ("query_id","created_at");--> statement-breakpoint
CREATE INDEX "projects_evidence_sha256" ON "projects" USING btree ("evidence_sha256");--> statement-breakpoint
-- the audit trail records who uploaded which evidence file and the query threads (not the files' bytes)
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['evidence_files', 'verification_queries', 'verification_query_answers'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement()', t || '_audit_insert', t);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement()', t || '_audit_update', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement()', t || '_audit_delete', t);
  END LOOP;
END $$;
