-- Names printed on the card (AT-5 氏名, AT-8 カナ氏名), kept from eligibility's compacted
-- personal-details topic only because the federation's insured-change file needs them for
-- online qualification (NHI-O). A tombstone on that topic deletes the row (erasure).
CREATE TABLE card_names (
    addressee_number text PRIMARY KEY,
    name             text NOT NULL,
    name_kana        text NOT NULL,
    as_of            date NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
