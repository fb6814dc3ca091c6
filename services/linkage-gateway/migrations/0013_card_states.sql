-- マイナ保険証 registration states published as MynaInsuranceCardStatusChanged (issue 14,
-- ADR 0019): the last state published per person, so a state already published is not
-- published again (the fetch compares and sets this row in the transaction that writes the
-- event to the outbox). Keyed by the addressee number only: no individual number here.
CREATE TABLE myna_card_states (
    addressee_number text PRIMARY KEY CHECK (addressee_number ~ '^[0-9]{10}$'),
    status text NOT NULL CHECK (status IN ('registered', 'no_card', 'not_registered',
                                           'registration_cancelled', 'card_returned')),
    e_certificate_expires_on date,
    as_of date NOT NULL,
    published_at timestamptz NOT NULL
);
