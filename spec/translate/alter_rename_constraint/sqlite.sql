-- up
CREATE TABLE accounts (id INTEGER PRIMARY KEY, code CHAR(2) NOT NULL, UNIQUE (code));
-- notice: 3:1: column `code`: `CHAR(2)` values shorter than the length are not padded with spaces on sqlite, as PostgreSQL pads them
INSERT INTO accounts (id, code) VALUES (1, 'AA');
-- sqlite table rebuild, planned when it runs:
ALTER TABLE accounts RENAME CONSTRAINT accounts_code_key TO accounts_code_uq;
ALTER TABLE accounts RENAME CONSTRAINT accounts_pkey TO accounts_pk;
-- down
DROP TABLE accounts;
