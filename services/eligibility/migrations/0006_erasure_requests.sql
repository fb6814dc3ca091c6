-- C-95 under four eyes (C-11): an erasure is requested by one supervisor with its reason and
-- carried out only when another confirms it. The request stays as the record of who erased
-- whose details, when and why (the details themselves are gone).
CREATE TABLE IF NOT EXISTS erasure_requests (
    request_id uuid PRIMARY KEY,
    addressee_number text NOT NULL,
    reason text NOT NULL CHECK (btrim(reason) <> ''),
    requested_by text NOT NULL,
    requested_at timestamptz NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'rejected')),
    decided_by text,
    decided_at timestamptz,
    CHECK ((status = 'pending') = (decided_by IS NULL))
);
-- At most one pending request per person.
CREATE UNIQUE INDEX IF NOT EXISTS erasure_requests_one_pending
    ON erasure_requests (addressee_number) WHERE status = 'pending';
