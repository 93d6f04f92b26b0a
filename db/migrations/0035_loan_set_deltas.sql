-- A correction's frozen loan set stored as a delta from a whole set (its base): the base's loans it drops
-- (removed, or changed) and the loans it adds (new, or changed) in `list`, so a correction that changes k
-- loans writes O(k). A base is always a whole set (`base_key` null), never a delta. The loans of any set:
-- `frozen_loans_of_set` (unordered), `frozen_loans_of` (in loan-id order, with `ordinal`), and the view
-- `disclosure_loans` reads them as before; `frozen_loans_changed_in_base` is what a delta touches, so two
-- sets on one base differ only among those loans.
ALTER TABLE "disclosure_loan_sets" ADD COLUMN "base_key" text;--> statement-breakpoint
ALTER TABLE "disclosure_loan_sets" ADD COLUMN "dropped" uuid[];--> statement-breakpoint
ALTER TABLE "disclosure_loan_sets" ADD CONSTRAINT "disclosure_loan_sets_base_key_disclosure_loan_sets_key_fk" FOREIGN KEY ("base_key") REFERENCES "public"."disclosure_loan_sets"("key") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "disclosure_loan_sets" ADD CONSTRAINT "disclosure_loan_sets_delta" CHECK (("base_key" IS NULL) = ("dropped" IS NULL));--> statement-breakpoint
CREATE FUNCTION "frozen_loans_of_set"("set_key" text) RETURNS SETOF "frozen_loan" LANGUAGE sql STABLE AS $$
  WITH s AS (SELECT "key", "base_key", "dropped", "list" FROM "disclosure_loan_sets" WHERE "key" = "set_key"),
  dropped AS (SELECT unnest(s."dropped") AS "id" FROM s)
  SELECT a.* FROM s CROSS JOIN LATERAL unnest(s."list") a
  UNION ALL
  SELECT b.* FROM s JOIN "disclosure_loan_sets" r ON r."key" = s."base_key" CROSS JOIN LATERAL unnest(r."list") b
  WHERE b."loan_id" NOT IN (SELECT "id" FROM dropped)
$$;--> statement-breakpoint
CREATE FUNCTION "frozen_loans_of"("set_key" text) RETURNS TABLE("loan_id" uuid, "loan_ref" text, "principal_fen" bigint, "rate_ppm" bigint,
  "disbursed_on" date, "attributed_centitonnes" bigint, "project_ref" text, "sub_area" text, "borrower_credit_code" text, "project_name" text,
  "province" text, "project_reduction_centitonnes" bigint, "project_total_investment_fen" bigint, "ordinal" bigint) LANGUAGE sql STABLE AS $$
  SELECT u.* FROM "disclosure_loan_sets" s CROSS JOIN LATERAL unnest(s."list") WITH ORDINALITY u
  WHERE s."key" = "set_key" AND s."base_key" IS NULL
  UNION ALL
  SELECT d.*, row_number() OVER (ORDER BY d."loan_id") FROM "frozen_loans_of_set"("set_key") d
  WHERE EXISTS (SELECT 1 FROM "disclosure_loan_sets" s WHERE s."key" = "set_key" AND s."base_key" IS NOT NULL)
$$;--> statement-breakpoint
CREATE FUNCTION "frozen_loans_changed_in_base"("set_key" text) RETURNS SETOF uuid LANGUAGE sql STABLE AS $$
  SELECT unnest(s."dropped") FROM "disclosure_loan_sets" s WHERE s."key" = "set_key" AND s."base_key" IS NOT NULL
  UNION
  SELECT a."loan_id" FROM "disclosure_loan_sets" s CROSS JOIN LATERAL unnest(s."list") a WHERE s."key" = "set_key" AND s."base_key" IS NOT NULL
$$;--> statement-breakpoint
CREATE OR REPLACE VIEW "disclosure_loans" AS
SELECT v."id" AS "version_id", u."loan_id", u."loan_ref", u."principal_fen", u."rate_ppm", u."disbursed_on", u."attributed_centitonnes",
  u."project_ref", u."sub_area", u."borrower_credit_code", u."project_name", u."province", u."project_reduction_centitonnes",
  u."project_total_investment_fen", u."ordinal"
FROM "disclosure_versions" v
CROSS JOIN LATERAL "frozen_loans_of"(v."loan_set_key") u;
