-- Application management table (申請管理テーブル, AM): no individual number is kept; the number
-- in the payload is checked against the vault and dropped (C-12, C-01).
CREATE TABLE applications (
    receipt_number               text PRIMARY KEY,
    procedure_code               text NOT NULL,
    procedure_name               text NOT NULL,
    applied_at                   timestamptz NOT NULL,
    status_code                  text NOT NULL,
    status_reason                text NOT NULL,
    addressee_number             text,
    integrated_addressee_number  text,
    user_auth_certificate_serial text,
    received_at                  timestamptz NOT NULL
);
