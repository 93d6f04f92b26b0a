-- A copy of the loan's disbursement date on its application rows, kept like the principal, maturity and
-- eligibility copies of migration 0010: "does this bank have a loan covered by approved support disbursed
-- by that date" (the quarter's compile asks it of every bank) becomes one index probe per approved
-- application, where the bank's loans were walked in disbursement order until a covered one: every loan,
-- for a bank whose support starts after the date (a local or foreign bank before 2023).
ALTER TABLE "application_loans" ADD COLUMN "loan_disbursed_on" date;--> statement-breakpoint
UPDATE "application_loans" al SET "loan_disbursed_on" = l."disbursed_on" FROM "loans" l WHERE l."id" = al."loan_id";--> statement-breakpoint
ALTER TABLE "application_loans" ALTER COLUMN "loan_disbursed_on" SET NOT NULL;--> statement-breakpoint
-- a row written without it (a statement naming the other copies only) takes it from its loan
CREATE FUNCTION application_loans_take_disbursed_on() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.loan_disbursed_on := (SELECT l.disbursed_on FROM loans l WHERE l.id = NEW.loan_id);
  RETURN NEW;
END $$;--> statement-breakpoint
CREATE TRIGGER application_loans_take_disbursed_on BEFORE INSERT ON application_loans
  FOR EACH ROW WHEN (NEW.loan_disbursed_on IS NULL) EXECUTE FUNCTION application_loans_take_disbursed_on();--> statement-breakpoint
-- the live row's copies follow the loan, the disbursement date now among them
CREATE OR REPLACE FUNCTION application_loans_follow_loan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE application_loans
     SET loan_principal_fen = NEW.principal_fen, loan_matures_on = NEW.matures_on, loan_eligibility = NEW.eligibility,
         loan_disbursed_on = NEW.disbursed_on
   WHERE loan_id = NEW.id AND active = 1;
  RETURN NULL;
END $$;--> statement-breakpoint
DROP TRIGGER application_loans_follow_loan ON loans;--> statement-breakpoint
CREATE TRIGGER application_loans_follow_loan AFTER UPDATE OF principal_fen, matures_on, eligibility, disbursed_on ON loans
  FOR EACH ROW WHEN (OLD.principal_fen IS DISTINCT FROM NEW.principal_fen OR OLD.matures_on IS DISTINCT FROM NEW.matures_on
    OR OLD.eligibility IS DISTINCT FROM NEW.eligibility OR OLD.disbursed_on IS DISTINCT FROM NEW.disbursed_on)
  EXECUTE FUNCTION application_loans_follow_loan();--> statement-breakpoint
CREATE INDEX "application_loans_live_disbursed" ON "application_loans" ("application_id", "loan_disbursed_on") WHERE "active" = 1;
