-- Kokuho audit log (C-45, C-46, C-49): append-only and hash-chained. Idempotent.
-- Installed into the current schema by kokuho.platform.audit.install(conn).

CREATE TABLE IF NOT EXISTS audit_log (
    seq bigint PRIMARY KEY CHECK (seq > 0),   -- gapless: assigned under the chain-head lock
    occurred_at timestamptz NOT NULL,
    user_id text NOT NULL,
    terminal_id text,
    operation text NOT NULL,
    subject_addressee_numbers text[] NOT NULL DEFAULT '{}',
    outcome text NOT NULL CHECK (outcome IN ('allowed', 'denied', 'failed')),
    status_code integer,
    request_id text,
    detail jsonb NOT NULL DEFAULT '{}',
    prev_hash text NOT NULL,
    hash text NOT NULL UNIQUE
);

CREATE INDEX IF NOT EXISTS audit_log_subjects_idx
    ON audit_log USING gin (subject_addressee_numbers);
CREATE INDEX IF NOT EXISTS audit_log_user_idx ON audit_log (user_id, occurred_at);
CREATE INDEX IF NOT EXISTS audit_log_occurred_idx ON audit_log (occurred_at);

-- One row: the end of the chain. Appenders lock it (SELECT ... FOR UPDATE), so the chain stays
-- linear under concurrency, and the lock lasts until the caller's transaction ends.
CREATE TABLE IF NOT EXISTS audit_chain_head (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_seq bigint NOT NULL,
    last_hash text NOT NULL
);
INSERT INTO audit_chain_head (id, last_seq, last_hash)
VALUES (true, 0, repeat('0', 64))
ON CONFLICT (id) DO NOTHING;

-- Retention purges: the first remaining record links to the hash of the last purged one.
CREATE TABLE IF NOT EXISTS audit_purge_checkpoint (
    purged_through_seq bigint PRIMARY KEY,
    last_purged_hash text NOT NULL,
    purged_count bigint NOT NULL,
    retention_years integer NOT NULL,
    purged_at timestamptz NOT NULL DEFAULT now(),
    purged_by text NOT NULL DEFAULT session_user
);

-- Append-only: no UPDATE, no TRUNCATE; DELETE only of records that a purge checkpoint covers
-- and that are older than the 10-year minimum (C-46), i.e. only through audit_purge().
CREATE OR REPLACE FUNCTION audit_log_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW'
       AND OLD.occurred_at < now() - interval '10 years'
       AND EXISTS (SELECT 1 FROM audit_purge_checkpoint c
                   WHERE c.purged_through_seq >= OLD.seq) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit log is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER IF EXISTS audit_log_no_update ON audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log;
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_guard();
DROP TRIGGER IF EXISTS audit_checkpoint_no_change ON audit_purge_checkpoint;
CREATE TRIGGER audit_checkpoint_no_change BEFORE UPDATE OR DELETE ON audit_purge_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
DROP TRIGGER IF EXISTS audit_checkpoint_no_truncate ON audit_purge_checkpoint;
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_purge_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- The one maintenance path that removes records: those older than retention_years (>= 10).
-- Records a checkpoint (the hash of the last purged record) so that verification still works.
CREATE OR REPLACE FUNCTION audit_purge(retention_years integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
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
    -- Purge a prefix of the chain only: stop before the first record that must be kept.
    SELECT a.seq, a.hash INTO last_seq_purged, last_hash_purged
      FROM audit_log a
     WHERE a.seq < COALESCE((SELECT min(k.seq) FROM audit_log k WHERE k.occurred_at >= cutoff),
                            (SELECT h.last_seq + 1 FROM audit_chain_head h))
     ORDER BY a.seq DESC
     LIMIT 1;
    IF last_seq_purged IS NULL THEN
        RETURN 0;
    END IF;
    SELECT count(*) INTO n FROM audit_log WHERE seq <= last_seq_purged;
    INSERT INTO audit_purge_checkpoint (purged_through_seq, last_purged_hash, purged_count,
                                        retention_years)
    VALUES (last_seq_purged, last_hash_purged, n, retention_years);
    DELETE FROM audit_log WHERE seq <= last_seq_purged;
    RETURN n;
END;
$$;

REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_purge_checkpoint FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION audit_purge(integer) FROM PUBLIC;
