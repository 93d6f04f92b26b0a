-- The facility's figures read from per-application summaries of the supported loans instead of the loans
-- themselves: per application (the disbursement entry's memo->>'applicationId') its live loans
-- (application_loans.active = 1) by project province and sub-area (loans, principal, attributed reduction
-- rounded per loan half up), its distinct borrowers and its distinct projects (coalesce(register_id,
-- project_id)) by province and sub-area. The bank and its category come from the disbursement entry at
-- read time. `single` marks the row of a borrower (project) that has no other row in its table, whatever the
-- application: it counts in each grouping as its one row does, so a read sums such rows (an entity of a
-- changed application is never taken as single). An application whose inputs changed is listed in `statistics_dirty` by the triggers below,
-- in the writer's transaction; a read takes a dirty application's loans live (never a stale summary), and
-- `refreshStatisticsSummaries` (db/read-models/facility-statistics.ts) recomputes the summaries of the
-- dirty applications and removes the marks it saw in one statement. Marks are only ever inserted (no
-- unique key), so a writer never waits for a refresh. Loans inserted (uploads) are on no application and
-- fire nothing; the loans' and projects' row triggers fire only when a summarised column changes.
CREATE TABLE "statistics_dirty" ("application_id" uuid NOT NULL);--> statement-breakpoint
CREATE INDEX "statistics_dirty_application" ON "statistics_dirty" ("application_id");--> statement-breakpoint
CREATE TABLE "statistics_application_sums" (
  "application_id" uuid NOT NULL,
  "province" text NOT NULL,
  "sub_area" text NOT NULL,
  "loans" bigint NOT NULL,
  "principal_fen" bigint NOT NULL,
  "reduction_centitonnes" bigint NOT NULL
);--> statement-breakpoint
CREATE INDEX "statistics_application_sums_application" ON "statistics_application_sums" ("application_id");--> statement-breakpoint
CREATE TABLE "statistics_application_borrowers" (
  "application_id" uuid NOT NULL,
  "borrower" text NOT NULL,
  "province" text NOT NULL,
  "sub_area" text NOT NULL,
  "single" boolean NOT NULL DEFAULT false
);--> statement-breakpoint
CREATE INDEX "statistics_application_borrowers_application" ON "statistics_application_borrowers" ("application_id");--> statement-breakpoint
CREATE INDEX "statistics_application_borrowers_borrower" ON "statistics_application_borrowers" ("borrower");--> statement-breakpoint
CREATE TABLE "statistics_application_projects" (
  "application_id" uuid NOT NULL,
  "project" uuid NOT NULL,
  "province" text NOT NULL,
  "sub_area" text NOT NULL,
  "single" boolean NOT NULL DEFAULT false
);--> statement-breakpoint
CREATE INDEX "statistics_application_projects_application" ON "statistics_application_projects" ("application_id");--> statement-breakpoint
CREATE INDEX "statistics_application_projects_project" ON "statistics_application_projects" ("project");--> statement-breakpoint
-- an application's listed loans: inserted or deleted live rows, and any change of a row's application,
-- loan, liveness or principal (the rows before and after compared as sets)
CREATE FUNCTION "statistics_application_loans_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "statistics_dirty" ("application_id") SELECT DISTINCT "application_id" FROM new_rows WHERE "active" = 1;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "statistics_dirty" ("application_id") SELECT DISTINCT "application_id" FROM old_rows WHERE "active" = 1;
  ELSE
    INSERT INTO "statistics_dirty" ("application_id")
    SELECT DISTINCT c."application_id" FROM (
      (SELECT "application_id", "loan_id", "active", "principal_fen" FROM new_rows
       EXCEPT SELECT "application_id", "loan_id", "active", "principal_fen" FROM old_rows)
      UNION ALL
      (SELECT "application_id", "loan_id", "active", "principal_fen" FROM old_rows
       EXCEPT SELECT "application_id", "loan_id", "active", "principal_fen" FROM new_rows)
    ) c;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "statistics_application_loans_insert" AFTER INSERT ON "application_loans" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "statistics_application_loans_changed"();--> statement-breakpoint
CREATE TRIGGER "statistics_application_loans_update" AFTER UPDATE ON "application_loans" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "statistics_application_loans_changed"();--> statement-breakpoint
CREATE TRIGGER "statistics_application_loans_delete" AFTER DELETE ON "application_loans" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "statistics_application_loans_changed"();--> statement-breakpoint
-- a loan's borrower or project changed: the application it is live on
CREATE FUNCTION "statistics_loan_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "statistics_dirty" ("application_id")
  SELECT "application_id" FROM "application_loans" WHERE "loan_id" = NEW."id" AND "active" = 1;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "statistics_loan_changed" AFTER UPDATE OF "borrower_credit_code", "project_id", "register_id" ON "loans" FOR EACH ROW
  WHEN (OLD."borrower_credit_code" IS DISTINCT FROM NEW."borrower_credit_code" OR OLD."project_id" IS DISTINCT FROM NEW."project_id"
    OR OLD."register_id" IS DISTINCT FROM NEW."register_id")
  EXECUTE FUNCTION "statistics_loan_changed"();--> statement-breakpoint
-- a project's province, sub-area or figures changed: the applications its loans are live on
CREATE FUNCTION "statistics_project_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "statistics_dirty" ("application_id")
  SELECT DISTINCT al."application_id" FROM "loans" l JOIN "application_loans" al ON al."loan_id" = l."id" AND al."active" = 1
  WHERE l."project_id" = NEW."id";
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "statistics_project_changed" AFTER UPDATE OF "province", "sub_area", "annual_reduction_centitonnes", "total_investment_fen" ON "projects"
  FOR EACH ROW WHEN (OLD."province" IS DISTINCT FROM NEW."province" OR OLD."sub_area" IS DISTINCT FROM NEW."sub_area"
    OR OLD."annual_reduction_centitonnes" IS DISTINCT FROM NEW."annual_reduction_centitonnes"
    OR OLD."total_investment_fen" IS DISTINCT FROM NEW."total_investment_fen")
  EXECUTE FUNCTION "statistics_project_changed"();--> statement-breakpoint
-- the applications already listing loans: summarised by the first refresh (read live until then)
INSERT INTO "statistics_dirty" ("application_id") SELECT DISTINCT "application_id" FROM "application_loans" WHERE "active" = 1;
