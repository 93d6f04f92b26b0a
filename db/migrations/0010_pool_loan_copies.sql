ALTER TABLE "application_loans" ADD COLUMN "loan_principal_fen" bigint;--> statement-breakpoint
ALTER TABLE "application_loans" ADD COLUMN "loan_matures_on" date;--> statement-breakpoint
ALTER TABLE "application_loans" ADD COLUMN "loan_eligibility" text;--> statement-breakpoint
UPDATE "application_loans" al SET "loan_principal_fen" = l."principal_fen", "loan_matures_on" = l."matures_on", "loan_eligibility" = l."eligibility" FROM "loans" l WHERE l."id" = al."loan_id";--> statement-breakpoint
ALTER TABLE "application_loans" ALTER COLUMN "loan_principal_fen" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "application_loans" ALTER COLUMN "loan_matures_on" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "application_loans" ALTER COLUMN "loan_eligibility" SET NOT NULL;--> statement-breakpoint
-- the live row's copies follow the loan: any change of its principal, maturity or eligibility, by whatever
-- path (through the live-row index; a row that is no longer live never counts again, and keeps the loan as it was)
CREATE FUNCTION application_loans_follow_loan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE application_loans
     SET loan_principal_fen = NEW.principal_fen, loan_matures_on = NEW.matures_on, loan_eligibility = NEW.eligibility
   WHERE loan_id = NEW.id AND active = 1;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER application_loans_follow_loan AFTER UPDATE OF principal_fen, matures_on, eligibility ON loans
  FOR EACH ROW WHEN (OLD.principal_fen IS DISTINCT FROM NEW.principal_fen OR OLD.matures_on IS DISTINCT FROM NEW.matures_on OR OLD.eligibility IS DISTINCT FROM NEW.eligibility)
  EXECUTE FUNCTION application_loans_follow_loan();
