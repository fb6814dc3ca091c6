-- The ledger snapshot as json, not jsonb (ADR 0109): PostgreSQL keeps the text as written
-- instead of building jsonb's tree, and a payment file rewrites a snapshot per household (at
-- 20,000 snapshots the upsert took 1.1-1.3 s instead of 1.9-2.4 s, reading them back
-- 0.2-0.5 s instead of 0.6-0.9 s). Still checked as JSON; only collection reads it, as text.
ALTER TABLE ledgers ALTER COLUMN state TYPE json USING state::json;
