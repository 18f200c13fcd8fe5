-- up
CREATE TABLE accounts (id INTEGER PRIMARY KEY, code CHAR(2) NOT NULL, CONSTRAINT accounts_code_key UNIQUE (code)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- notice: 3:1: column `code`: `CHAR(2)` values shorter than the length are not padded with spaces on mysql, as PostgreSQL pads them
INSERT INTO accounts (id, code) VALUES (1, 'AA');
ALTER TABLE accounts RENAME INDEX accounts_code_key TO accounts_code_uq;
-- notice: 10:1: `RENAME CONSTRAINT accounts_pkey` skipped: MySQL names every primary key `PRIMARY`
-- down
DROP TABLE accounts;
