CREATE TABLE "disclosure_loans" (
	"version_id" uuid NOT NULL,
	"loan_id" uuid NOT NULL,
	"loan_ref" text NOT NULL,
	"principal_fen" bigint NOT NULL,
	"rate_ppm" bigint NOT NULL,
	"disbursed_on" date NOT NULL,
	"attributed_centitonnes" bigint NOT NULL,
	"project_ref" text NOT NULL,
	"sub_area" text NOT NULL,
	CONSTRAINT "disclosure_loans_version_id_loan_id_pk" PRIMARY KEY("version_id","loan_id")
);
--> statement-breakpoint
CREATE TABLE "statement_formats" (
	"institution_id" uuid NOT NULL,
	"effective_from" date NOT NULL,
	"amount_decimals" integer NOT NULL,
	"rate_decimals" integer NOT NULL,
	"reduction_decimals" integer NOT NULL,
	"whole_amounts_without_decimals" boolean NOT NULL,
	"trim_trailing_zeros" boolean NOT NULL,
	"thousands_separators" boolean NOT NULL,
	"variant" text NOT NULL,
	"set_by" uuid NOT NULL,
	"set_at" timestamp with time zone NOT NULL,
	CONSTRAINT "statement_formats_institution_id_effective_from_pk" PRIMARY KEY("institution_id","effective_from"),
	CONSTRAINT "statement_formats_amount_decimals" CHECK ("statement_formats"."amount_decimals" between 0 and 4),
	CONSTRAINT "statement_formats_rate_decimals" CHECK ("statement_formats"."rate_decimals" between 1 and 4),
	CONSTRAINT "statement_formats_reduction_decimals" CHECK ("statement_formats"."reduction_decimals" between 0 and 4),
	CONSTRAINT "statement_formats_variant" CHECK ("statement_formats"."variant" in ('A','B'))
);
--> statement-breakpoint
ALTER TABLE "disclosure_versions" ADD COLUMN "change_reason" text;--> statement-breakpoint
ALTER TABLE "disclosure_versions" ADD COLUMN "difference" jsonb;--> statement-breakpoint
ALTER TABLE "disclosure_loans" ADD CONSTRAINT "disclosure_loans_version_id_disclosure_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."disclosure_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_formats" ADD CONSTRAINT "statement_formats_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "statement_formats" ADD CONSTRAINT "statement_formats_set_by_users_id_fk" FOREIGN KEY ("set_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;