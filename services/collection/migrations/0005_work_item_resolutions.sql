-- Resolving the work list (issue 10): a work item keeps the payment's channel and day (what an
-- assignment receives) and which resolution closed it; each resolution keeps its action, its
-- reason, who entered and who decided it (C-11, C-24). One pending resolution per item.
ALTER TABLE work_items
    ADD COLUMN channel       text,
    ADD COLUMN paid_on       date,
    ADD COLUMN resolution_id text,
    ADD COLUMN resolved_on   date;

CREATE INDEX work_items_open_by_household ON work_items (household) WHERE NOT resolved;

CREATE TABLE work_item_resolutions (
    resolution_id text PRIMARY KEY,
    item_id       text NOT NULL REFERENCES work_items (item_id),
    action        text NOT NULL CHECK (action IN ('assign', 'refund', 'close')),
    reason        text NOT NULL,
    household     text,
    fiscal_year   integer,
    period        integer,
    status        text NOT NULL CHECK (status IN ('pending', 'confirmed', 'rejected', 'closed')),
    entered_by    text NOT NULL,
    entered_on    date NOT NULL,
    decided_by    text,
    decided_on    date,
    outcome       text
);
CREATE UNIQUE INDEX work_item_resolutions_one_pending ON work_item_resolutions (item_id)
    WHERE status = 'pending';
CREATE INDEX work_item_resolutions_by_item ON work_item_resolutions (item_id);
