-- A whole frozen loan set known to be another whole set's loans disbursed on or before a date: a
-- correction found it so by comparing the two (db/sql/bank-quarters.ts) and remembers it, so the next
-- correction reading the same two sets does not compare them again. Sets never change once stored, so
-- what was found stays true.
CREATE TABLE "loan_set_restrictions" (
	"key" text NOT NULL,
	"of_key" text NOT NULL,
	"through" date NOT NULL,
	CONSTRAINT "loan_set_restrictions_pkey" PRIMARY KEY ("key", "of_key", "through")
);--> statement-breakpoint
ALTER TABLE "loan_set_restrictions" ADD CONSTRAINT "loan_set_restrictions_key_fk" FOREIGN KEY ("key") REFERENCES "public"."disclosure_loan_sets"("key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "loan_set_restrictions" ADD CONSTRAINT "loan_set_restrictions_of_key_fk" FOREIGN KEY ("of_key") REFERENCES "public"."disclosure_loan_sets"("key") ON DELETE cascade ON UPDATE no action;
