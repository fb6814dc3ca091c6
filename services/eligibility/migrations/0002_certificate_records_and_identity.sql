-- Records of 限度額適用認定証 / 標準負担額減額認定証 (NHI-Q-39..42) and 特定疾病療養受療証
-- (NHI-Q-43..45: the disease name is health data [H] and never leaves this database), and the
-- identity verification of each counter intake (C-10; the method, never the document number).

ALTER TABLE certificates ADD COLUMN IF NOT EXISTS limit_category text;
ALTER TABLE certificates ADD COLUMN IF NOT EXISTS application_date date;
ALTER TABLE certificates ADD COLUMN IF NOT EXISTS long_term boolean;
ALTER TABLE certificates ADD COLUMN IF NOT EXISTS disease_name text;
ALTER TABLE certificates ADD COLUMN IF NOT EXISTS copayment_limit_yen integer;

ALTER TABLE changes ADD COLUMN IF NOT EXISTS identity_method text;
ALTER TABLE changes ADD COLUMN IF NOT EXISTS by_proxy boolean;
