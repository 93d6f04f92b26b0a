-- A frozen loan set is named by a random key instead of the SHA-256 of its binary form (hashing every frozen
-- field of every loan cost as much as the list's own hash), and carries its list's hash (the `loanSet.sha256`
-- the content of every version that froze it publishes): an equal set is found by that hash, its length and a
-- comparison of the loans themselves (db/sql/frozen-loan-sets.ts), so versions that froze the same loans still
-- share one row. The sets stored so far keep their keys and get their list's hash.
ALTER TABLE "disclosure_loan_sets" ADD COLUMN "sha256" text;--> statement-breakpoint
UPDATE "disclosure_loan_sets" s SET "sha256" = h."sha256"
FROM (
  SELECT s2."key", encode(sha256(convert_to(coalesce(string_agg(concat_ws(E'\t', u."loan_id"::text, u."loan_ref", u."principal_fen"::text, u."rate_ppm"::text,
      u."attributed_centitonnes"::text, to_json(u."project_ref")::text, u."sub_area"), E'\n' ORDER BY u."ordinal"), ''), 'UTF8')), 'hex') AS "sha256"
  FROM "disclosure_loan_sets" s2
  CROSS JOIN LATERAL unnest(s2."list") WITH ORDINALITY AS u("loan_id", "loan_ref", "principal_fen", "rate_ppm", "disbursed_on", "attributed_centitonnes",
    "project_ref", "sub_area", "borrower_credit_code", "project_name", "province", "project_reduction_centitonnes", "project_total_investment_fen", "ordinal")
  GROUP BY s2."key"
) h WHERE h."key" = s."key";--> statement-breakpoint
UPDATE "disclosure_loan_sets" SET "sha256" = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' WHERE "sha256" IS NULL;--> statement-breakpoint
ALTER TABLE "disclosure_loan_sets" ALTER COLUMN "sha256" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "disclosure_loan_sets_sha256" ON "disclosure_loan_sets" ("sha256", "loans");
