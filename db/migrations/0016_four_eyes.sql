CREATE TABLE "approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"seq" bigint GENERATED ALWAYS AS IDENTITY (sequence name "approvals_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"kind" text NOT NULL,
	"input" jsonb NOT NULL,
	"resource" text NOT NULL,
	"resource_id" text NOT NULL,
	"institution_id" uuid,
	"summary" text NOT NULL,
	"reason" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"proposed_by" uuid NOT NULL,
	"proposed_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"result" jsonb,
	CONSTRAINT "approvals_status_values" CHECK ("approvals"."status" in ('pending','confirmed','declined','withdrawn')),
	CONSTRAINT "approvals_decided" CHECK (("approvals"."status" = 'pending') = ("approvals"."decided_by" is null) and ("approvals"."decided_by" is null) = ("approvals"."decided_at" is null)),
	CONSTRAINT "approvals_four_eyes" CHECK ("approvals"."status" <> 'confirmed' or "approvals"."decided_by" <> "approvals"."proposed_by"),
	CONSTRAINT "approvals_withdrawn_by_proposer" CHECK ("approvals"."status" <> 'withdrawn' or "approvals"."decided_by" = "approvals"."proposed_by")
);
--> statement-breakpoint
CREATE TABLE "audit_records" (
	"seq" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_records_seq_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"txid" bigint NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_user_id" uuid,
	"institution_id" uuid,
	"via" text,
	"request_id" text,
	"reason" text,
	"resource" text NOT NULL,
	"action" text NOT NULL,
	"row_count" integer NOT NULL,
	"changes" jsonb NOT NULL,
	"institution_ids" uuid[],
	"chain_pos" bigint,
	"prev_hash" text,
	"hash" text
);
--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_proposed_by_users_id_fk" FOREIGN KEY ("proposed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "approvals_status" ON "approvals" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "approvals_resource" ON "approvals" USING btree ("resource","resource_id");--> statement-breakpoint
CREATE INDEX "audit_records_resource" ON "audit_records" USING btree ("resource","seq");--> statement-breakpoint
CREATE INDEX "audit_records_chain" ON "audit_records" USING btree ("chain_pos");--> statement-breakpoint
CREATE INDEX "audit_records_txid" ON "audit_records" USING btree ("txid");--> statement-breakpoint
CREATE TABLE "audit_chain" ("chain" text PRIMARY KEY, "last_pos" bigint NOT NULL, "last_hash" text NOT NULL);
--> statement-breakpoint
INSERT INTO "audit_chain" VALUES ('audit', 0, repeat('0', 64));
--> statement-breakpoint
CREATE TABLE "audit_pending" ("txid" bigint PRIMARY KEY);
--> statement-breakpoint
-- the content a record's hash covers (verify recomputes it the same way)
CREATE FUNCTION audit_content(r audit_records) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws('|', r.chain_pos, r.txid, to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), r.actor_user_id,
    r.institution_id, r.via, r.request_id, r.reason, r.resource, r.action, r.row_count, r.changes::text, r.institution_ids::text)
$$;
--> statement-breakpoint
-- append-only: no delete; an update only seals a record's chain fields, once
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') THEN RAISE EXCEPTION 'audit records are append-only' USING ERRCODE = 'insufficient_privilege'; END IF;
  IF OLD.hash IS NOT NULL OR current_setting('cerf.audit_sealing', true) IS DISTINCT FROM 'on'
     OR (to_jsonb(NEW) - 'chain_pos' - 'prev_hash' - 'hash') <> (to_jsonb(OLD) - 'chain_pos' - 'prev_hash' - 'hash') THEN
    RAISE EXCEPTION 'audit records are append-only' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records FOR EACH ROW EXECUTE FUNCTION audit_append_only();
--> statement-breakpoint
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
--> statement-breakpoint
-- at commit: this transaction's records take the next chain positions (the head is locked only now)
CREATE FUNCTION audit_seal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head audit_chain;
  rec audit_records;
  pos bigint;
  prev text;
BEGIN
  SELECT * INTO head FROM audit_chain WHERE chain = 'audit' FOR UPDATE;
  pos := head.last_pos; prev := head.last_hash;
  PERFORM set_config('cerf.audit_sealing', 'on', true);
  FOR rec IN SELECT * FROM audit_records WHERE txid = NEW.txid AND hash IS NULL ORDER BY seq LOOP
    pos := pos + 1;
    rec.chain_pos := pos;
    UPDATE audit_records SET chain_pos = pos, prev_hash = prev,
      hash = encode(sha256(convert_to(prev || audit_content(rec), 'UTF8')), 'hex')
      WHERE seq = rec.seq RETURNING hash INTO prev;
  END LOOP;
  PERFORM set_config('cerf.audit_sealing', 'off', true);
  UPDATE audit_chain SET last_pos = pos, last_hash = prev WHERE chain = 'audit';
  DELETE FROM audit_pending WHERE txid = NEW.txid;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER audit_pending_seal AFTER INSERT ON audit_pending DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_seal();
--> statement-breakpoint
-- one record per statement and table (per 1,000 rows: a jsonb value stays far below its size limit), from the
-- transition tables: set-based, a 10,000-row batch is ten records
CREATE FUNCTION audit_statement() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  secret text[] := ARRAY['password_hash', 'api_key_sha256', 'secret', 'response_body'];
  n integer;
BEGIN
  CREATE TEMP TABLE IF NOT EXISTS audit_rows (chunk bigint, id jsonb, inst text, before jsonb, after jsonb) ON COMMIT DROP;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO audit_rows SELECT (row_number() OVER () - 1) / 1000, j->'id', coalesce(j->>'institution_id', CASE WHEN TG_TABLE_NAME = 'institutions' THEN j->>'id' END), null, j - secret
      FROM (SELECT to_jsonb(x) j FROM new_rows x) s;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO audit_rows SELECT (row_number() OVER () - 1) / 1000, j->'id', coalesce(j->>'institution_id', CASE WHEN TG_TABLE_NAME = 'institutions' THEN j->>'id' END), j - secret, null
      FROM (SELECT to_jsonb(x) j FROM old_rows x) s;
  ELSE
    INSERT INTO audit_rows SELECT (row_number() OVER () - 1) / 1000, nj->'id', coalesce(nj->>'institution_id', CASE WHEN TG_TABLE_NAME = 'institutions' THEN nj->>'id' END),
        (SELECT jsonb_object_agg(k, oj->k) FROM jsonb_object_keys(nj) k WHERE nj->k IS DISTINCT FROM oj->k AND NOT k = ANY(secret)),
        (SELECT jsonb_object_agg(k, nj->k) FROM jsonb_object_keys(nj) k WHERE nj->k IS DISTINCT FROM oj->k AND NOT k = ANY(secret))
      FROM (SELECT to_jsonb(x) nj, row_number() OVER () rn FROM new_rows x) a
      JOIN (SELECT to_jsonb(y) oj, row_number() OVER () rn FROM old_rows y) b ON (a.nj->'id') = (b.oj->'id') OR (a.nj->'id' IS NULL AND a.rn = b.rn);
  END IF;
  INSERT INTO audit_records (txid, actor_user_id, institution_id, via, request_id, reason, resource, action, row_count, changes, institution_ids)
  SELECT txid_current(), nullif(current_setting('cerf.actor', true), '')::uuid, nullif(current_setting('cerf.institution', true), '')::uuid,
    nullif(current_setting('cerf.via', true), ''), nullif(current_setting('cerf.request', true), ''),
    nullif(current_setting('cerf.reason', true), ''), TG_TABLE_NAME, lower(TG_OP), count(*),
    jsonb_agg(jsonb_build_object('id', id, 'before', before, 'after', after)),
    array_agg(DISTINCT inst::uuid) FILTER (WHERE inst IS NOT NULL)
  FROM audit_rows GROUP BY chunk ORDER BY chunk;
  GET DIAGNOSTICS n = ROW_COUNT;
  TRUNCATE audit_rows;
  IF n > 0 THEN INSERT INTO audit_pending VALUES (txid_current()) ON CONFLICT DO NOTHING; END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['institutions', 'users', 'projects', 'loans', 'loan_repayments', 'operations', 'applications', 'application_loans',
    'facilities', 'collateral', 'collateral_valuations', 'margin_calls', 'pool_shortfalls', 'journal_entries', 'disclosure_versions',
    'verifier_conflicts', 'verification_assignments', 'verification_findings', 'webhook_subscriptions', 'policy_changes', 'approvals',
    'imports', 'bookings'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement()', t || '_audit_insert', t);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement()', t || '_audit_update', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement()', t || '_audit_delete', t);
  END LOOP;
END $$;
