CREATE TABLE "idempotency_keys" (
	"user_id" uuid NOT NULL,
	"key" text NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"request_sha256" text NOT NULL,
	"response_status" integer NOT NULL,
	"response_body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_user_id_key_pk" PRIMARY KEY("user_id","key")
);
--> statement-breakpoint
CREATE TABLE "institutions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code" text NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"kind" text NOT NULL,
	"eligible_from" date,
	"eligible_until" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "institutions_code_unique" UNIQUE("code"),
	CONSTRAINT "institutions_kind" CHECK ("institutions"."kind" in ('operator','bank','verifier'))
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"api_key_sha256" text NOT NULL,
	"password_hash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "users_api_key_sha256_unique" UNIQUE("api_key_sha256")
);
--> statement-breakpoint
CREATE TABLE "loan_repayments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"loan_id" uuid NOT NULL,
	"repaid_on" date NOT NULL,
	"amount_fen" bigint NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "loan_repayments_positive" CHECK ("loan_repayments"."amount_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "loan_versions" (
	"loan_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"content" jsonb NOT NULL,
	"content_sha256" text NOT NULL,
	"changed_by" uuid NOT NULL,
	"reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "loan_versions_loan_id_version_pk" PRIMARY KEY("loan_id","version")
);
--> statement-breakpoint
CREATE TABLE "loans" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"loan_ref" text NOT NULL,
	"project_id" uuid NOT NULL,
	"borrower_name" text NOT NULL,
	"borrower_credit_code" text NOT NULL,
	"principal_fen" bigint NOT NULL,
	"outstanding_fen" bigint NOT NULL,
	"rate_ppm" bigint NOT NULL,
	"disbursed_on" date NOT NULL,
	"matures_on" date NOT NULL,
	"taxonomy_version" text NOT NULL,
	"policy_version" text NOT NULL,
	"lpr_tenor" text NOT NULL,
	"lpr_month" text NOT NULL,
	"lpr_ppm" bigint NOT NULL,
	"within_lpr_band" boolean NOT NULL,
	"eligibility" text NOT NULL,
	"flags" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"accepted_by" uuid,
	"accepted_reason" text,
	"accepted_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	"content_sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "loans_institution_ref" UNIQUE("institution_id","loan_ref"),
	CONSTRAINT "loans_principal_positive" CHECK ("loans"."principal_fen" > 0),
	CONSTRAINT "loans_outstanding_range" CHECK ("loans"."outstanding_fen" >= 0 and "loans"."outstanding_fen" <= "loans"."principal_fen"),
	CONSTRAINT "loans_dates_coherent" CHECK ("loans"."matures_on" > "loans"."disbursed_on"),
	CONSTRAINT "loans_eligibility" CHECK ("loans"."eligibility" in ('eligible','flagged','accepted'))
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"ref" text NOT NULL,
	"name" text NOT NULL,
	"province" text NOT NULL,
	"sub_area" text NOT NULL,
	"total_investment_fen" bigint NOT NULL,
	"annual_reduction_centitonnes" bigint NOT NULL,
	"reduction_basis" text NOT NULL,
	"evidence_title" text NOT NULL,
	"evidence_sha256" text NOT NULL,
	"funded_fen" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "projects_institution_ref" UNIQUE("institution_id","ref"),
	CONSTRAINT "projects_investment_positive" CHECK ("projects"."total_investment_fen" > 0),
	CONSTRAINT "projects_reduction_nonnegative" CHECK ("projects"."annual_reduction_centitonnes" >= 0),
	CONSTRAINT "projects_never_overfunded" CHECK ("projects"."funded_fen" <= "projects"."total_investment_fen")
);
--> statement-breakpoint
CREATE TABLE "application_loans" (
	"application_id" uuid NOT NULL,
	"loan_id" uuid NOT NULL,
	"principal_fen" bigint NOT NULL,
	"requested_support_fen" bigint NOT NULL,
	"active" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "application_loans_pair" UNIQUE("application_id","loan_id")
);
--> statement-breakpoint
CREATE TABLE "applications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"operation_id" uuid NOT NULL,
	"applied_on" date NOT NULL,
	"status" text NOT NULL,
	"policy_version" text NOT NULL,
	"requested_fen" bigint NOT NULL,
	"approved_fen" bigint,
	"decision_reason" text,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"disbursed_by" uuid,
	"disbursed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "applications_approved_le_requested" CHECK ("applications"."approved_fen" is null or "applications"."approved_fen" <= "applications"."requested_fen")
);
--> statement-breakpoint
CREATE TABLE "facilities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"principal_fen" bigint NOT NULL,
	"outstanding_fen" bigint NOT NULL,
	"rate_ppm" bigint NOT NULL,
	"day_count" text NOT NULL,
	"start_on" date NOT NULL,
	"matures_on" date NOT NULL,
	"rollover_count" integer DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"policy_version" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "facilities_outstanding_range" CHECK ("facilities"."outstanding_fen" >= 0 and "facilities"."outstanding_fen" <= "facilities"."principal_fen"),
	CONSTRAINT "facilities_rollovers" CHECK ("facilities"."rollover_count" between 0 and 2)
);
--> statement-breakpoint
CREATE TABLE "operations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"quarter" text NOT NULL,
	"opens_on" date NOT NULL,
	"closes_on" date NOT NULL,
	"volume_fen" bigint NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "operations_quarter_unique" UNIQUE("quarter"),
	CONSTRAINT "operations_volume_positive" CHECK ("operations"."volume_fen" > 0)
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"queue" text NOT NULL,
	"job_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"enqueued_at" timestamp with time zone,
	"done_at" timestamp with time zone,
	CONSTRAINT "outbox_job_id_unique" UNIQUE("job_id")
);
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_repayments" ADD CONSTRAINT "loan_repayments_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_repayments" ADD CONSTRAINT "loan_repayments_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_versions" ADD CONSTRAINT "loan_versions_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_versions" ADD CONSTRAINT "loan_versions_changed_by_users_id_fk" FOREIGN KEY ("changed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loans" ADD CONSTRAINT "loans_accepted_by_users_id_fk" FOREIGN KEY ("accepted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_loans" ADD CONSTRAINT "application_loans_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_loans" ADD CONSTRAINT "application_loans_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_operation_id_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."operations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_disbursed_by_users_id_fk" FOREIGN KEY ("disbursed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "facilities" ADD CONSTRAINT "facilities_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "facilities" ADD CONSTRAINT "facilities_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operations" ADD CONSTRAINT "operations_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "users_institution" ON "users" USING btree ("institution_id");--> statement-breakpoint
CREATE INDEX "loan_repayments_loan" ON "loan_repayments" USING btree ("loan_id","repaid_on");--> statement-breakpoint
CREATE INDEX "loans_institution_disbursed" ON "loans" USING btree ("institution_id","disbursed_on");--> statement-breakpoint
CREATE INDEX "loans_project" ON "loans" USING btree ("project_id");--> statement-breakpoint
CREATE UNIQUE INDEX "application_loans_live_loan" ON "application_loans" USING btree ("loan_id") WHERE "application_loans"."active" = 1;--> statement-breakpoint
CREATE INDEX "applications_institution" ON "applications" USING btree ("institution_id");--> statement-breakpoint
CREATE INDEX "applications_operation" ON "applications" USING btree ("operation_id");--> statement-breakpoint
CREATE INDEX "facilities_institution" ON "facilities" USING btree ("institution_id");--> statement-breakpoint
CREATE INDEX "facilities_maturity" ON "facilities" USING btree ("status","matures_on");--> statement-breakpoint
CREATE INDEX "outbox_open" ON "outbox" USING btree ("status") WHERE "outbox"."status" in ('pending','enqueued');