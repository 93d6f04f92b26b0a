-- A version's frozen loan set stored once per distinct set: one row holding the loans in loan-id order
-- (one composite array), named by the SHA-256 of its binary form (array_send: every frozen field); versions
-- that froze the same loans share it. Stored uncompressed (EXTERNAL): compressing it cost more than writing it.
CREATE TYPE "frozen_loan" AS (
	"loan_id" uuid,
	"loan_ref" text,
	"principal_fen" bigint,
	"rate_ppm" bigint,
	"disbursed_on" date,
	"attributed_centitonnes" bigint,
	"project_ref" text,
	"sub_area" text,
	"borrower_credit_code" text,
	"project_name" text,
	"province" text,
	"project_reduction_centitonnes" bigint,
	"project_total_investment_fen" bigint
);--> statement-breakpoint
CREATE TABLE "disclosure_loan_sets" (
	"key" text PRIMARY KEY NOT NULL,
	"loans" integer NOT NULL,
	"list" "frozen_loan"[] NOT NULL
);--> statement-breakpoint
ALTER TABLE "disclosure_loan_sets" ALTER COLUMN "list" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "disclosure_versions" ADD COLUMN "loan_set_key" text;--> statement-breakpoint
ALTER TABLE "disclosure_versions" ADD CONSTRAINT "disclosure_versions_loan_set_key_disclosure_loan_sets_key_fk" FOREIGN KEY ("loan_set_key") REFERENCES "public"."disclosure_loan_sets"("key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- the sets frozen so far, one per version, carried over as they were frozen
CREATE TEMPORARY TABLE "frozen_sets_0027" AS
SELECT "version_id", "loans", "list", encode(sha256(array_send("list")), 'hex') AS "key" FROM (
SELECT "version_id", count(*)::int AS "loans",
  array_agg(row("loan_id", "loan_ref", "principal_fen", "rate_ppm", "disbursed_on", "attributed_centitonnes", "project_ref", "sub_area",
    "borrower_credit_code", "project_name", "province", "project_reduction_centitonnes", "project_total_investment_fen")::"frozen_loan" ORDER BY "loan_id") AS "list"
FROM "disclosure_loans" GROUP BY "version_id") per_version;--> statement-breakpoint
INSERT INTO "disclosure_loan_sets" ("key", "loans", "list")
SELECT DISTINCT ON ("key") "key", "loans", "list" FROM "frozen_sets_0027" ORDER BY "key"
ON CONFLICT DO NOTHING;--> statement-breakpoint
UPDATE "disclosure_versions" v SET "loan_set_key" = f."key"
FROM "frozen_sets_0027" f WHERE f."version_id" = v."id";--> statement-breakpoint
DROP TABLE "frozen_sets_0027";--> statement-breakpoint
DROP TABLE "disclosure_loans";--> statement-breakpoint
-- the loans of every version, one row each, as readers always read them
CREATE VIEW "disclosure_loans" AS
SELECT v."id" AS "version_id", u."loan_id", u."loan_ref", u."principal_fen", u."rate_ppm", u."disbursed_on", u."attributed_centitonnes",
  u."project_ref", u."sub_area", u."borrower_credit_code", u."project_name", u."province", u."project_reduction_centitonnes",
  u."project_total_investment_fen", u."ordinal"
FROM "disclosure_versions" v
JOIN "disclosure_loan_sets" s ON s."key" = v."loan_set_key"
CROSS JOIN LATERAL unnest(s."list") WITH ORDINALITY AS u("loan_id", "loan_ref", "principal_fen", "rate_ppm", "disbursed_on", "attributed_centitonnes",
  "project_ref", "sub_area", "borrower_credit_code", "project_name", "province", "project_reduction_centitonnes", "project_total_investment_fen", "ordinal");
