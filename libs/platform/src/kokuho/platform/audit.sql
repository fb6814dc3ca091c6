-- Kokuho audit log (C-45, C-46, C-49), ADR 0006. Idempotent.
--
-- Run by kokuho.platform.audit.install() as a superuser, under SET ROLE to the audit owner
-- (<service role>_audit_owner, NOLOGIN), so that every object here belongs to that role and not
-- to the service's login role. The service role gets USAGE on the schema, SELECT on the tables
-- and EXECUTE on audit.append() and audit.seal(): no UPDATE, DELETE, TRUNCATE, ALTER or trigger
-- control. The schema itself is created (AUTHORIZATION owner) by install() before this file.

-- One row per audited access. A request's transaction inserts it through audit.append() with
-- no chain position (seq, prev_hash, hash are NULL): appends never wait for each other. The
-- sealer (one per database) later gives committed records their seq and chain MAC through
-- audit.seal(). entry_mac is the appender's HMAC of the record's content (the key is not in the
-- database), so an edit or a record inserted without the key is found before it is sealed too.
CREATE TABLE IF NOT EXISTS audit.log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,   -- append order; gaps on rollback
    entry_id uuid NOT NULL UNIQUE,                        -- chosen by the appender, in the MAC
    seq bigint UNIQUE CHECK (seq > 0),                    -- chain position, gapless, at sealing
    occurred_at timestamptz NOT NULL,
    user_id text NOT NULL,
    terminal_id text,
    operation text NOT NULL,
    subject_addressee_numbers text[] NOT NULL DEFAULT '{}',
    outcome text NOT NULL CHECK (outcome IN ('allowed', 'denied', 'failed')),
    status_code integer,
    request_id text,
    detail jsonb NOT NULL DEFAULT '{}',
    -- 'hmac-sha256': appended with the key (entry_mac); 'imported': a record of the unkeyed
    -- pre-0006 chain, checked when it was imported and authenticated from its sealing on
    scheme text NOT NULL DEFAULT 'hmac-sha256' CHECK (scheme IN ('hmac-sha256', 'imported')),
    entry_mac text,
    prev_hash text,
    hash text UNIQUE,
    appended_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    sealed_at timestamptz,
    CHECK ((seq IS NULL) = (hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL)),
    CHECK (scheme = 'imported' OR entry_mac IS NOT NULL)
);

CREATE INDEX IF NOT EXISTS log_unsealed_idx ON audit.log (id) WHERE seq IS NULL;
CREATE INDEX IF NOT EXISTS log_subjects_idx ON audit.log USING gin (subject_addressee_numbers);
CREATE INDEX IF NOT EXISTS log_user_idx ON audit.log (user_id, occurred_at);
CREATE INDEX IF NOT EXISTS log_occurred_idx ON audit.log (occurred_at);

-- One row: the end of the sealed chain. Only the sealer locks it (inside audit.seal()).
CREATE TABLE IF NOT EXISTS audit.chain_head (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_seq bigint NOT NULL,
    last_hash text NOT NULL,
    sealed_at timestamptz
);
INSERT INTO audit.chain_head (id, last_seq, last_hash)
VALUES (true, 0, repeat('0', 64))
ON CONFLICT (id) DO NOTHING;

-- Retention purges: the first remaining record links to the hash of the last purged one.
CREATE TABLE IF NOT EXISTS audit.purge_checkpoint (
    purged_through_seq bigint PRIMARY KEY,
    last_purged_hash text NOT NULL,
    purged_count bigint NOT NULL,
    retention_years integer NOT NULL,
    purged_at timestamptz NOT NULL DEFAULT now(),
    purged_by text NOT NULL DEFAULT session_user
);

CREATE OR REPLACE FUNCTION audit.schema_version() RETURNS integer
LANGUAGE sql IMMUTABLE AS $$ SELECT 3 $$;

-- Append-only, also for the owner: the only UPDATE is sealing (seq, prev_hash, hash and
-- sealed_at set once, nothing else changed); DELETE only of records a purge checkpoint covers
-- and older than the 10-year minimum (C-46), i.e. only through audit.purge(); no TRUNCATE.
CREATE OR REPLACE FUNCTION audit.log_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = audit, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND NEW.id = OLD.id AND NEW.entry_id = OLD.entry_id
       AND NEW.occurred_at = OLD.occurred_at AND NEW.user_id = OLD.user_id
       AND NEW.terminal_id IS NOT DISTINCT FROM OLD.terminal_id
       AND NEW.operation = OLD.operation
       AND NEW.subject_addressee_numbers = OLD.subject_addressee_numbers
       AND NEW.outcome = OLD.outcome
       AND NEW.status_code IS NOT DISTINCT FROM OLD.status_code
       AND NEW.request_id IS NOT DISTINCT FROM OLD.request_id
       AND NEW.detail = OLD.detail AND NEW.scheme = OLD.scheme
       AND NEW.entry_mac IS NOT DISTINCT FROM OLD.entry_mac
       AND NEW.appended_at = OLD.appended_at THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW' AND OLD.seq IS NOT NULL
       AND OLD.occurred_at < now() - interval '10 years'
       AND EXISTS (SELECT 1 FROM audit.purge_checkpoint c
                   WHERE c.purged_through_seq >= OLD.seq) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION audit.append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = audit, pg_temp AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- The chain head only moves forward, by audit.seal().
CREATE OR REPLACE FUNCTION audit.head_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = audit, pg_temp AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.last_seq > OLD.last_seq THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit chain head only moves forward: % on % is not allowed',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS log_append_only ON audit.log;
CREATE TRIGGER log_append_only BEFORE UPDATE OR DELETE ON audit.log
    FOR EACH ROW EXECUTE FUNCTION audit.log_guard();
DROP TRIGGER IF EXISTS log_no_truncate ON audit.log;
CREATE TRIGGER log_no_truncate BEFORE TRUNCATE ON audit.log
    FOR EACH STATEMENT EXECUTE FUNCTION audit.log_guard();
DROP TRIGGER IF EXISTS head_forward_only ON audit.chain_head;
CREATE TRIGGER head_forward_only BEFORE UPDATE OR DELETE ON audit.chain_head
    FOR EACH ROW EXECUTE FUNCTION audit.head_guard();
DROP TRIGGER IF EXISTS head_no_truncate ON audit.chain_head;
CREATE TRIGGER head_no_truncate BEFORE TRUNCATE ON audit.chain_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit.head_guard();
DROP TRIGGER IF EXISTS checkpoint_no_change ON audit.purge_checkpoint;
CREATE TRIGGER checkpoint_no_change BEFORE UPDATE OR DELETE ON audit.purge_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit.append_only();
DROP TRIGGER IF EXISTS checkpoint_no_truncate ON audit.purge_checkpoint;
CREATE TRIGGER checkpoint_no_truncate BEFORE TRUNCATE ON audit.purge_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit.append_only();

-- The one way the service appends: an INSERT of an unsealed record, nothing else. Takes no
-- lock but the new row's, so concurrent requests never wait for each other here.
CREATE OR REPLACE FUNCTION audit.append(
    p_entry_id uuid, p_occurred_at timestamptz, p_user_id text, p_terminal_id text,
    p_operation text, p_subjects text[], p_outcome text, p_status_code integer,
    p_request_id text, p_detail jsonb, p_entry_mac text
) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = audit, pg_temp AS $$
    INSERT INTO audit.log (entry_id, occurred_at, user_id, terminal_id, operation,
                           subject_addressee_numbers, outcome, status_code, request_id, detail,
                           scheme, entry_mac)
    VALUES (p_entry_id, p_occurred_at, p_user_id, p_terminal_id, p_operation,
            coalesce(p_subjects, '{}'), p_outcome, p_status_code, p_request_id,
            coalesce(p_detail, '{}'), 'hmac-sha256', p_entry_mac)
    RETURNING id
$$;

-- The records appended on their own by concurrent requests, in one statement (group commit,
-- ADR 0117): the same INSERT as audit.append, row by row in the order given (their ids follow
-- it), all or none. The subjects come as JSON arrays (no SQL array of ragged arrays).
-- PL/pgSQL, so that the session keeps the statement's plan (a SQL function plans it anew on
-- every call).
CREATE OR REPLACE FUNCTION audit.append_many(
    p_entry_ids uuid[], p_occurred_ats timestamptz[], p_user_ids text[], p_terminal_ids text[],
    p_operations text[], p_subjects jsonb[], p_outcomes text[], p_status_codes integer[],
    p_request_ids text[], p_details jsonb[], p_entry_macs text[]
) RETURNS TABLE (appended_entry_id uuid, appended_id bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = audit, pg_temp AS $$
BEGIN
    RETURN QUERY
    INSERT INTO audit.log AS l (entry_id, occurred_at, user_id, terminal_id, operation,
                                subject_addressee_numbers, outcome, status_code, request_id,
                                detail, scheme, entry_mac)
    SELECT r.e, r.o, r.u, r.t, r.op,
           ARRAY(SELECT jsonb_array_elements_text(coalesce(r.s, '[]'))), r.oc, r.sc, r.rq,
           coalesce(r.d, '{}'), 'hmac-sha256', r.m
      FROM unnest(p_entry_ids, p_occurred_ats, p_user_ids, p_terminal_ids, p_operations,
                  p_subjects, p_outcomes, p_status_codes, p_request_ids, p_details,
                  p_entry_macs) WITH ORDINALITY AS r(e, o, u, t, op, s, oc, sc, rq, d, m, ord)
     ORDER BY r.ord
    RETURNING l.entry_id, l.id;
END;
$$;

-- The sealer's one write: give committed unsealed records (p_ids, in chain order) the next
-- positions after the head it read (p_after_seq, p_after_hash) with the chain MACs it computed
-- (p_hashes). Refused if the head moved (another sealer won) or a record is sealed already, so
-- there is one linear chain whoever calls it; sealed records are never changed again.
CREATE OR REPLACE FUNCTION audit.seal(
    p_after_seq bigint, p_after_hash text, p_ids bigint[], p_hashes text[]
) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = audit, pg_temp AS $$
DECLARE
    head audit.chain_head%ROWTYPE;
    n integer;
    total integer := coalesce(cardinality(p_ids), 0);
BEGIN
    IF total = 0 THEN
        RETURN 0;
    END IF;
    IF total <> coalesce(cardinality(p_hashes), 0) THEN
        RAISE EXCEPTION 'audit.seal: % ids but % hashes', total, cardinality(p_hashes);
    END IF;
    SELECT * INTO head FROM audit.chain_head WHERE id FOR UPDATE;
    IF head.last_seq <> p_after_seq OR head.last_hash <> p_after_hash THEN
        RAISE EXCEPTION 'audit.seal: the chain head moved (now %, not %)',
            head.last_seq, p_after_seq USING ERRCODE = 'serialization_failure';
    END IF;
    UPDATE audit.log l
       SET seq = p_after_seq + u.ord,
           prev_hash = CASE WHEN u.ord = 1 THEN p_after_hash ELSE p_hashes[u.ord - 1] END,
           hash = u.h,
           sealed_at = clock_timestamp()
      FROM unnest(p_ids, p_hashes) WITH ORDINALITY AS u(id, h, ord)
     WHERE l.id = u.id AND l.seq IS NULL;
    GET DIAGNOSTICS n = ROW_COUNT;
    IF n <> total THEN
        RAISE EXCEPTION 'audit.seal: % of % records are missing or sealed already', total - n,
            total USING ERRCODE = 'serialization_failure';
    END IF;
    UPDATE audit.chain_head
       SET last_seq = p_after_seq + total, last_hash = p_hashes[total],
           sealed_at = clock_timestamp()
     WHERE id;
    RETURN total;
END;
$$;

-- The one maintenance path that removes records: a prefix of the sealed chain older than
-- retention_years (>= 10). Records a checkpoint (the hash of the last purged record) so that
-- verification still works. Not executable by the service role (C-46).
CREATE OR REPLACE FUNCTION audit.purge(retention_years integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = audit, pg_temp AS $$
DECLARE
    cutoff timestamptz;
    last_seq_purged bigint;
    last_hash_purged text;
    n bigint;
BEGIN
    IF retention_years < 10 THEN
        RAISE EXCEPTION 'audit retention must be at least 10 years (C-46), not %', retention_years;
    END IF;
    cutoff := now() - make_interval(years => retention_years);
    SELECT a.seq, a.hash INTO last_seq_purged, last_hash_purged
      FROM audit.log a
     WHERE a.seq IS NOT NULL
       AND a.seq < COALESCE((SELECT min(k.seq) FROM audit.log k WHERE k.occurred_at >= cutoff),
                            (SELECT h.last_seq + 1 FROM audit.chain_head h))
     ORDER BY a.seq DESC
     LIMIT 1;
    IF last_seq_purged IS NULL THEN
        RETURN 0;
    END IF;
    SELECT count(*) INTO n FROM audit.log WHERE seq <= last_seq_purged;
    INSERT INTO audit.purge_checkpoint (purged_through_seq, last_purged_hash, purged_count,
                                        retention_years)
    VALUES (last_seq_purged, last_hash_purged, n, retention_years);
    DELETE FROM audit.log WHERE seq <= last_seq_purged;
    RETURN n;
END;
$$;

REVOKE ALL ON audit.log, audit.chain_head, audit.purge_checkpoint FROM PUBLIC;
REVOKE ALL ON FUNCTION audit.append(uuid, timestamptz, text, text, text, text[], text, integer,
                                    text, jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit.append_many(uuid[], timestamptz[], text[], text[], text[], jsonb[],
                                         text[], integer[], text[], jsonb[], text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit.seal(bigint, text, bigint[], text[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit.purge(integer) FROM PUBLIC;
