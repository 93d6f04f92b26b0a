-- A loan's project and its entry in the national register were foreign keys, checked row by row: a batch of
-- 5,000 loans ran 10,000 look-ups of one row each (and locked each parent row it found), most of them of the
-- projects and entries the same transaction had just written (docs/benchmarks.md, "Uploads"). They are now
-- checked once per statement, over all the rows it wrote, and what the foreign keys also guaranteed — that a
-- parent never goes away while a loan names it — is kept by the parents themselves: a project or a register
-- entry is never deleted (an entry linked to another stays, marked merged) and never changes its id, so
-- neither may be deleted, truncated or given another id. A loan therefore names a project and an entry that
-- exist, as before; a statement naming one that does not is refused whole, with SQLSTATE 23503 as before.
ALTER TABLE "loans" DROP CONSTRAINT "loans_project_id_projects_id_fk";--> statement-breakpoint
ALTER TABLE "loans" DROP CONSTRAINT "loans_register_id_project_register_id_fk";--> statement-breakpoint
CREATE FUNCTION loans_parents_exist() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  orphan record;
BEGIN
  IF TG_LEVEL = 'ROW' THEN
    -- an update that moved a loan to another project or entry (the trigger's WHEN clause)
    IF NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = NEW.project_id) THEN
      RAISE EXCEPTION 'loan % names project %, which does not exist', NEW.id, NEW.project_id
        USING ERRCODE = 'foreign_key_violation', TABLE = 'loans', COLUMN = 'project_id';
    END IF;
    IF NEW.register_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM project_register r WHERE r.id = NEW.register_id) THEN
      RAISE EXCEPTION 'loan % names register entry %, which does not exist', NEW.id, NEW.register_id
        USING ERRCODE = 'foreign_key_violation', TABLE = 'loans', COLUMN = 'register_id';
    END IF;
    RETURN NULL;
  END IF;
  SELECT n.id, n.project_id INTO orphan FROM new_rows n
  WHERE NOT EXISTS (SELECT 1 FROM projects p WHERE p.id = n.project_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'loan % names project %, which does not exist', orphan.id, orphan.project_id
      USING ERRCODE = 'foreign_key_violation', TABLE = 'loans', COLUMN = 'project_id';
  END IF;
  SELECT n.id, n.register_id INTO orphan FROM new_rows n
  WHERE n.register_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM project_register r WHERE r.id = n.register_id) LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'loan % names register entry %, which does not exist', orphan.id, orphan.register_id
      USING ERRCODE = 'foreign_key_violation', TABLE = 'loans', COLUMN = 'register_id';
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER loans_parents_inserted AFTER INSERT ON loans REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION loans_parents_exist();--> statement-breakpoint
CREATE TRIGGER loans_parents_updated AFTER UPDATE OF project_id, register_id ON loans FOR EACH ROW
  WHEN (OLD.project_id IS DISTINCT FROM NEW.project_id OR OLD.register_id IS DISTINCT FROM NEW.register_id)
  EXECUTE FUNCTION loans_parents_exist();--> statement-breakpoint
CREATE FUNCTION loan_parents_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'the id of a row of % never changes: loans name it', TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME, COLUMN = 'id';
  END IF;
  RAISE EXCEPTION 'rows of % are never deleted: loans name them', TG_TABLE_NAME
    USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
END $$;--> statement-breakpoint
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['projects', 'project_register'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE DELETE ON %I FOR EACH ROW EXECUTE FUNCTION loan_parents_kept()', t || '_never_deleted', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION loan_parents_kept()', t || '_never_truncated', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OF id ON %I FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION loan_parents_kept()', t || '_id_kept', t);
  END LOOP;
END $$;
