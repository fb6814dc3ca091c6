-- 退職情報 (NHI-Q-18): periods as 退職被保険者 or the dependant of one. A later record with the
-- same start closes or corrects the period (the events keep every version).
CREATE TABLE IF NOT EXISTS retiree_status (
    addressee_number text NOT NULL,
    nhi_household_number text NOT NULL,
    retiree_kind text NOT NULL,
    since date NOT NULL,
    until date,
    PRIMARY KEY (addressee_number, retiree_kind, since)
);
