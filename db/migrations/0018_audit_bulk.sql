-- The audit trigger, set-based without a temporary table, and compact for bulk inserts: a statement that
-- inserts more than 1,000 rows (a batch of loans, an application's loans, an import) records each row's
-- key and the rows' institution, not a copy of every field; the rows themselves carry their content (a
-- loan its content hash and its versions). Every other change records the changed fields before and after.
-- Also audited now: API keys, statement formats, signing keys, signatures, uploads and second factors.
CREATE OR REPLACE FUNCTION audit_statement() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- never copied into the trail
  secret text[] := ARRAY['password_hash', 'api_key_sha256', 'secret', 'response_body', 'sha256', 'private_pem'];
  -- bookkeeping that is not a change of meaning (a key's last use)
  noise text[] := ARRAY['last_used_at', 'last_used_address'];
  total bigint;
  n integer;
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT count(*) INTO total FROM new_rows;
    INSERT INTO audit_records (txid, actor_user_id, institution_id, via, request_id, reason, resource, action, row_count, changes, institution_ids)
    SELECT txid_current(), nullif(current_setting('cerf.actor', true), '')::uuid, nullif(current_setting('cerf.institution', true), '')::uuid,
      nullif(current_setting('cerf.via', true), ''), nullif(current_setting('cerf.request', true), ''),
      nullif(current_setting('cerf.reason', true), ''), TG_TABLE_NAME, 'insert', count(*),
      jsonb_agg(CASE WHEN total <= 1000 THEN jsonb_build_object('id', r.id, 'before', null, 'after', r.j - secret) ELSE jsonb_build_object('id', r.id) END),
      array_agg(DISTINCT r.inst::uuid) FILTER (WHERE r.inst IS NOT NULL)
    FROM (
      SELECT (row_number() OVER () - 1) / 1000 AS chunk, coalesce(j->'id', jsonb_build_array(j->'application_id', j->'loan_id')) AS id,
        coalesce(j->>'institution_id', CASE WHEN TG_TABLE_NAME = 'institutions' THEN j->>'id' END) AS inst, j
      FROM (SELECT to_jsonb(x) j FROM new_rows x) s
    ) r
    GROUP BY r.chunk ORDER BY r.chunk;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO audit_records (txid, actor_user_id, institution_id, via, request_id, reason, resource, action, row_count, changes, institution_ids)
    SELECT txid_current(), nullif(current_setting('cerf.actor', true), '')::uuid, nullif(current_setting('cerf.institution', true), '')::uuid,
      nullif(current_setting('cerf.via', true), ''), nullif(current_setting('cerf.request', true), ''),
      nullif(current_setting('cerf.reason', true), ''), TG_TABLE_NAME, 'delete', count(*),
      jsonb_agg(jsonb_build_object('id', r.id, 'before', r.j - secret, 'after', null)),
      array_agg(DISTINCT r.inst::uuid) FILTER (WHERE r.inst IS NOT NULL)
    FROM (
      SELECT (row_number() OVER () - 1) / 1000 AS chunk, coalesce(j->'id', jsonb_build_array(j->'application_id', j->'loan_id')) AS id,
        coalesce(j->>'institution_id', CASE WHEN TG_TABLE_NAME = 'institutions' THEN j->>'id' END) AS inst, j
      FROM (SELECT to_jsonb(x) j FROM old_rows x) s
    ) r
    GROUP BY r.chunk ORDER BY r.chunk;
  ELSE
    INSERT INTO audit_records (txid, actor_user_id, institution_id, via, request_id, reason, resource, action, row_count, changes, institution_ids)
    SELECT txid_current(), nullif(current_setting('cerf.actor', true), '')::uuid, nullif(current_setting('cerf.institution', true), '')::uuid,
      nullif(current_setting('cerf.via', true), ''), nullif(current_setting('cerf.request', true), ''),
      nullif(current_setting('cerf.reason', true), ''), TG_TABLE_NAME, 'update', count(*),
      jsonb_agg(jsonb_build_object('id', c.id, 'before', c.before, 'after', c.after)),
      array_agg(DISTINCT c.inst::uuid) FILTER (WHERE c.inst IS NOT NULL)
    FROM (
      SELECT (row_number() OVER () - 1) / 1000 AS chunk, d.*
      FROM (
        SELECT coalesce(a.nj->'id', jsonb_build_array(a.nj->'application_id', a.nj->'loan_id')) AS id,
          coalesce(a.nj->>'institution_id', CASE WHEN TG_TABLE_NAME = 'institutions' THEN a.nj->>'id' END) AS inst,
          (SELECT jsonb_object_agg(k, b.oj->k) FROM jsonb_object_keys(a.nj) k WHERE a.nj->k IS DISTINCT FROM b.oj->k AND NOT k = ANY(secret) AND NOT k = ANY(noise)) AS before,
          (SELECT jsonb_object_agg(k, a.nj->k) FROM jsonb_object_keys(a.nj) k WHERE a.nj->k IS DISTINCT FROM b.oj->k AND NOT k = ANY(secret) AND NOT k = ANY(noise)) AS after
        FROM (SELECT to_jsonb(x) nj, row_number() OVER () rn FROM new_rows x) a
        JOIN (SELECT to_jsonb(y) oj, row_number() OVER () rn FROM old_rows y) b
          ON (a.nj->'id') = (b.oj->'id') OR (a.nj->'id' IS NULL AND a.rn = b.rn)
      ) d
      -- a row whose only change is bookkeeping (noise) leaves no record
      WHERE d.after IS NOT NULL
    ) c
    GROUP BY c.chunk ORDER BY c.chunk;
  END IF;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN INSERT INTO audit_pending VALUES (txid_current()) ON CONFLICT DO NOTHING; END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['api_keys', 'statement_formats', 'signing_keys', 'disclosure_signatures', 'uploads', 'totp_factors'] LOOP
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement()', t || '_audit_insert', t);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement()', t || '_audit_update', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION audit_statement()', t || '_audit_delete', t);
  END LOOP;
END $$;
