CREATE TABLE "collateral" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"instrument_type" text NOT NULL,
	"instrument_ref" text NOT NULL,
	"face_fen" bigint NOT NULL,
	"market_fen" bigint NOT NULL,
	"valued_on" date NOT NULL,
	"status" text DEFAULT 'pledged' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "collateral_application_ref" UNIQUE("application_id","instrument_ref"),
	CONSTRAINT "collateral_values_nonnegative" CHECK ("collateral"."face_fen" > 0 and "collateral"."market_fen" >= 0)
);
--> statement-breakpoint
CREATE TABLE "collateral_valuations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"collateral_id" uuid NOT NULL,
	"valued_on" date NOT NULL,
	"market_fen" bigint NOT NULL,
	"valued_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "margin_calls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"application_id" uuid NOT NULL,
	"raised_on" date NOT NULL,
	"eligible_collateral_fen" bigint NOT NULL,
	"exposure_fen" bigint NOT NULL,
	"shortfall_fen" bigint NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"cleared_on" date,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journal_chain" (
	"chain" text PRIMARY KEY NOT NULL,
	"last_sequence" bigint NOT NULL,
	"last_hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "journal_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"sequence" bigint NOT NULL,
	"institution_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"effective_on" date NOT NULL,
	"reverses_id" uuid,
	"memo" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_by" uuid,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "journal_entries_sequence_unique" UNIQUE("sequence"),
	CONSTRAINT "journal_entries_reverses_id_unique" UNIQUE("reverses_id"),
	CONSTRAINT "journal_entries_kind" CHECK ("journal_entries"."kind" in ('disbursement','accrual','repayment','rollover','reversal'))
);
--> statement-breakpoint
CREATE TABLE "journal_lines" (
	"entry_id" uuid NOT NULL,
	"line_no" integer NOT NULL,
	"account" text NOT NULL,
	"facility_id" uuid,
	"debit_fen" bigint NOT NULL,
	"credit_fen" bigint NOT NULL,
	CONSTRAINT "journal_lines_entry_id_line_no_pk" PRIMARY KEY("entry_id","line_no"),
	CONSTRAINT "journal_lines_one_side" CHECK ("journal_lines"."debit_fen" >= 0 and "journal_lines"."credit_fen" >= 0 and ("journal_lines"."debit_fen" = 0) <> ("journal_lines"."credit_fen" = 0))
);
--> statement-breakpoint
CREATE TABLE "disclosure_versions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"quarter" text NOT NULL,
	"version" integer NOT NULL,
	"status" text DEFAULT 'compiled' NOT NULL,
	"content" jsonb NOT NULL,
	"content_sha256" text NOT NULL,
	"counted_loans" integer NOT NULL,
	"previous_version_id" uuid,
	"restates_version_id" uuid,
	"compiled_at" timestamp with time zone NOT NULL,
	"submitted_at" timestamp with time zone,
	"submitted_by" uuid,
	"verified_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"published_on" date,
	CONSTRAINT "disclosure_versions_number" UNIQUE("institution_id","quarter","version"),
	CONSTRAINT "disclosure_versions_status" CHECK ("disclosure_versions"."status" in ('compiled','submitted','under_verification','verified','rejected','published')),
	CONSTRAINT "disclosure_versions_version_positive" CHECK ("disclosure_versions"."version" >= 1)
);
--> statement-breakpoint
CREATE TABLE "verification_assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"disclosure_version_id" uuid NOT NULL,
	"verifier_id" uuid NOT NULL,
	"assigned_by" uuid,
	"assigned_how" text NOT NULL,
	"seed" text NOT NULL,
	"materiality_fen" bigint NOT NULL,
	"random_sample_size" integer NOT NULL,
	"verdict" text,
	"summary" text,
	"report" jsonb,
	"report_sha256" text,
	"assigned_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"completed_on" date,
	CONSTRAINT "verification_assignments_disclosure_version_id_unique" UNIQUE("disclosure_version_id")
);
--> statement-breakpoint
CREATE TABLE "verification_findings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"assignment_id" uuid NOT NULL,
	"loan_id" uuid NOT NULL,
	"check" text NOT NULL,
	"outcome" text NOT NULL,
	"note" text,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "verification_samples" (
	"assignment_id" uuid NOT NULL,
	"loan_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	"reason" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	CONSTRAINT "verification_samples_assignment_id_loan_id_pk" PRIMARY KEY("assignment_id","loan_id")
);
--> statement-breakpoint
CREATE TABLE "verifier_conflicts" (
	"verifier_id" uuid NOT NULL,
	"bank_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "verifier_conflicts_verifier_id_bank_id_pk" PRIMARY KEY("verifier_id","bank_id")
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subscription_id" uuid NOT NULL,
	"institution_id" uuid NOT NULL,
	"job_id" text NOT NULL,
	"event" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"response_status" integer,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "webhook_deliveries_once" UNIQUE("job_id","subscription_id")
);
--> statement-breakpoint
CREATE TABLE "webhook_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"url" text NOT NULL,
	"secret" text NOT NULL,
	"active" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "applications" ADD COLUMN "submitted_by" uuid;--> statement-breakpoint
ALTER TABLE "facilities" ADD COLUMN "rolled_from_id" uuid;--> statement-breakpoint
ALTER TABLE "facilities" ADD COLUMN "interest_from_on" date NOT NULL;--> statement-breakpoint
ALTER TABLE "facilities" ADD COLUMN "segment_accrued_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "facilities" ADD COLUMN "accrued_through" date NOT NULL;--> statement-breakpoint
ALTER TABLE "facilities" ADD COLUMN "interest_accrued_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "facilities" ADD COLUMN "interest_paid_fen" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "facilities" ADD COLUMN "closed_on" date;--> statement-breakpoint
ALTER TABLE "facilities" ADD COLUMN "created_by" uuid;--> statement-breakpoint
ALTER TABLE "collateral" ADD CONSTRAINT "collateral_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collateral" ADD CONSTRAINT "collateral_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collateral_valuations" ADD CONSTRAINT "collateral_valuations_collateral_id_collateral_id_fk" FOREIGN KEY ("collateral_id") REFERENCES "public"."collateral"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collateral_valuations" ADD CONSTRAINT "collateral_valuations_valued_by_users_id_fk" FOREIGN KEY ("valued_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "margin_calls" ADD CONSTRAINT "margin_calls_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "margin_calls" ADD CONSTRAINT "margin_calls_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_entries" ADD CONSTRAINT "journal_entries_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_entries" ADD CONSTRAINT "journal_entries_reverses_id_journal_entries_id_fk" FOREIGN KEY ("reverses_id") REFERENCES "public"."journal_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_entries" ADD CONSTRAINT "journal_entries_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_lines" ADD CONSTRAINT "journal_lines_entry_id_journal_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."journal_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "journal_lines" ADD CONSTRAINT "journal_lines_facility_id_facilities_id_fk" FOREIGN KEY ("facility_id") REFERENCES "public"."facilities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disclosure_versions" ADD CONSTRAINT "disclosure_versions_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disclosure_versions" ADD CONSTRAINT "disclosure_versions_previous_version_id_disclosure_versions_id_fk" FOREIGN KEY ("previous_version_id") REFERENCES "public"."disclosure_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disclosure_versions" ADD CONSTRAINT "disclosure_versions_restates_version_id_disclosure_versions_id_fk" FOREIGN KEY ("restates_version_id") REFERENCES "public"."disclosure_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disclosure_versions" ADD CONSTRAINT "disclosure_versions_submitted_by_users_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_assignments" ADD CONSTRAINT "verification_assignments_disclosure_version_id_disclosure_versions_id_fk" FOREIGN KEY ("disclosure_version_id") REFERENCES "public"."disclosure_versions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_assignments" ADD CONSTRAINT "verification_assignments_verifier_id_institutions_id_fk" FOREIGN KEY ("verifier_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_assignments" ADD CONSTRAINT "verification_assignments_assigned_by_users_id_fk" FOREIGN KEY ("assigned_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_findings" ADD CONSTRAINT "verification_findings_assignment_id_verification_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."verification_assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_findings" ADD CONSTRAINT "verification_findings_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_findings" ADD CONSTRAINT "verification_findings_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_samples" ADD CONSTRAINT "verification_samples_assignment_id_verification_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."verification_assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verification_samples" ADD CONSTRAINT "verification_samples_loan_id_loans_id_fk" FOREIGN KEY ("loan_id") REFERENCES "public"."loans"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verifier_conflicts" ADD CONSTRAINT "verifier_conflicts_verifier_id_institutions_id_fk" FOREIGN KEY ("verifier_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verifier_conflicts" ADD CONSTRAINT "verifier_conflicts_bank_id_institutions_id_fk" FOREIGN KEY ("bank_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "verifier_conflicts" ADD CONSTRAINT "verifier_conflicts_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_subscription_id_webhook_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."webhook_subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "collateral_application" ON "collateral" USING btree ("application_id");--> statement-breakpoint
CREATE INDEX "collateral_valuations_collateral" ON "collateral_valuations" USING btree ("collateral_id","valued_on");--> statement-breakpoint
CREATE INDEX "margin_calls_institution" ON "margin_calls" USING btree ("institution_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "margin_calls_open_per_application" ON "margin_calls" USING btree ("application_id") WHERE "margin_calls"."status" = 'open';--> statement-breakpoint
CREATE INDEX "journal_entries_institution" ON "journal_entries" USING btree ("institution_id","sequence");--> statement-breakpoint
CREATE INDEX "journal_lines_account" ON "journal_lines" USING btree ("account");--> statement-breakpoint
CREATE INDEX "disclosure_versions_quarter" ON "disclosure_versions" USING btree ("quarter","status");--> statement-breakpoint
CREATE INDEX "verification_assignments_verifier" ON "verification_assignments" USING btree ("verifier_id","completed_at");--> statement-breakpoint
CREATE INDEX "verification_findings_assignment" ON "verification_findings" USING btree ("assignment_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_institution" ON "webhook_deliveries" USING btree ("institution_id","created_at");--> statement-breakpoint
CREATE INDEX "webhook_subscriptions_institution" ON "webhook_subscriptions" USING btree ("institution_id");--> statement-breakpoint
ALTER TABLE "applications" ADD CONSTRAINT "applications_submitted_by_users_id_fk" FOREIGN KEY ("submitted_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "facilities" ADD CONSTRAINT "facilities_rolled_from_id_facilities_id_fk" FOREIGN KEY ("rolled_from_id") REFERENCES "public"."facilities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "facilities" ADD CONSTRAINT "facilities_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "applications_status" ON "applications" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "facilities_application" ON "facilities" USING btree ("application_id");--> statement-breakpoint
CREATE UNIQUE INDEX "facilities_rolled_from" ON "facilities" USING btree ("rolled_from_id");--> statement-breakpoint
ALTER TABLE "facilities" ADD CONSTRAINT "facilities_interest_paid_le_accrued" CHECK ("facilities"."interest_paid_fen" >= 0 and "facilities"."interest_paid_fen" <= "facilities"."interest_accrued_fen");--> statement-breakpoint
ALTER TABLE "facilities" ADD CONSTRAINT "facilities_day_count" CHECK ("facilities"."day_count" in ('actual_360','actual_365'));