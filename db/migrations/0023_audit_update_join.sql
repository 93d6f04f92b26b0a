-- An UPDATE's audit record paired each new row with its old row by a join on "same id, or same position
-- when the table has no id": PostgreSQL can only run that OR as a nested loop, so a statement updating N
-- rows compared N × N pairs (a day's accrual over 100,000 tranches ran for minutes instead of seconds).
-- The rows now pair by one equality (the id, or the position for tables without one), which a hash join
-- answers in one pass; the records are the same.
CREATE OR REPLACE FUNCTION audit_statement() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- never copied into the trail
  secret text[] := ARRAY['password_hash', 'api_key_sha256', 'secret', 'response_body', 'sha256', 'private_pem'];
  -- bookkeeping that is not a change of meaning (a key's last use)
  noise text[] := ARRAY['last_used_at', 'last_used_address'];
  total bigint;
  n integer;
  key_expr text;
  inst_expr text;
  -- rows of a table with an id pair by it; the others (an application's loans) by their order
  has_id boolean := EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = TG_RELID AND attname = 'id' AND NOT attisdropped);
BEGIN
  IF TG_OP = 'INSERT' THEN
    SELECT count(*) INTO total FROM new_rows;
    IF total > 1000 THEN
      -- the same key and institution the row-by-row path takes from the row's JSON, read from the columns
      key_expr := CASE WHEN has_id THEN 'to_jsonb(x.id)' ELSE 'jsonb_build_array(to_jsonb(x.application_id), to_jsonb(x.loan_id))' END;
      inst_expr := CASE
        WHEN EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = TG_RELID AND attname = 'institution_id' AND NOT attisdropped) THEN 'x.institution_id::uuid'
        WHEN TG_TABLE_NAME = 'institutions' THEN 'x.id::uuid'
        ELSE 'NULL::uuid' END;
      EXECUTE format($q$
        INSERT INTO audit_records (txid, actor_user_id, institution_id, via, request_id, reason, resource, action, row_count, changes, institution_ids)
        SELECT txid_current(), nullif(current_setting('cerf.actor', true), '')::uuid, nullif(current_setting('cerf.institution', true), '')::uuid,
          nullif(current_setting('cerf.via', true), ''), nullif(current_setting('cerf.request', true), ''),
          nullif(current_setting('cerf.reason', true), ''), %L, 'insert', count(*),
          jsonb_agg(jsonb_build_object('id', r.id)), array_agg(DISTINCT r.inst) FILTER (WHERE r.inst IS NOT NULL)
        FROM (SELECT (row_number() OVER () - 1) / 1000 AS chunk, %s AS id, %s AS inst FROM new_rows x) r
        GROUP BY r.chunk ORDER BY r.chunk$q$, TG_TABLE_NAME, key_expr, inst_expr);
    ELSE
      INSERT INTO audit_records (txid, actor_user_id, institution_id, via, request_id, reason, resource, action, row_count, changes, institution_ids)
      SELECT txid_current(), nullif(current_setting('cerf.actor', true), '')::uuid, nullif(current_setting('cerf.institution', true), '')::uuid,
        nullif(current_setting('cerf.via', true), ''), nullif(current_setting('cerf.request', true), ''),
        nullif(current_setting('cerf.reason', true), ''), TG_TABLE_NAME, 'insert', count(*),
        jsonb_agg(jsonb_build_object('id', r.id, 'before', null, 'after', r.j - secret)),
        array_agg(DISTINCT r.inst::uuid) FILTER (WHERE r.inst IS NOT NULL)
      FROM (
        SELECT 0 AS chunk, coalesce(j->'id', jsonb_build_array(j->'application_id', j->'loan_id')) AS id,
          coalesce(j->>'institution_id', CASE WHEN TG_TABLE_NAME = 'institutions' THEN j->>'id' END) AS inst, j
        FROM (SELECT to_jsonb(x) j FROM new_rows x) s
      ) r
      -- no record for a statement that inserted nothing
      GROUP BY r.chunk;
    END IF;
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
          -- one equality, so the rows pair by a hash join (an OR here paired every new row with every old one)
          ON CASE WHEN has_id THEN a.nj->'id' ELSE to_jsonb(a.rn) END = CASE WHEN has_id THEN b.oj->'id' ELSE to_jsonb(b.rn) END
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
