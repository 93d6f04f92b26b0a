CREATE TABLE "import_records" (
	"institution_id" uuid NOT NULL,
	"ref" text NOT NULL,
	"kind" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"effective_on" date NOT NULL,
	"content_sha256" text NOT NULL,
	"import_id" uuid NOT NULL,
	CONSTRAINT "import_records_ref" UNIQUE("institution_id","ref")
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"document_sha256" text NOT NULL,
	"imported_by" uuid NOT NULL,
	"status" text DEFAULT 'completed' NOT NULL,
	"counts" jsonb NOT NULL,
	"result_status" integer NOT NULL,
	"result" jsonb NOT NULL,
	"imported_at" timestamp with time zone NOT NULL,
	CONSTRAINT "imports_document_sha256_unique" UNIQUE("document_sha256"),
	CONSTRAINT "imports_status" CHECK ("imports"."status" in ('completed'))
);
--> statement-breakpoint
ALTER TABLE "import_records" ADD CONSTRAINT "import_records_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "import_records" ADD CONSTRAINT "import_records_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_imported_by_users_id_fk" FOREIGN KEY ("imported_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_records_import" ON "import_records" USING btree ("import_id");--> statement-breakpoint
CREATE INDEX "imports_institution" ON "imports" USING btree ("institution_id","imported_at");