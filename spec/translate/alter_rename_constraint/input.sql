-- Renaming a UNIQUE constraint: an index on MySQL, a table rebuild on SQLite.
-- +up
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    code CHAR(2) NOT NULL,
    UNIQUE (code)
);
INSERT INTO accounts (id, code) VALUES (1, 'AA');
ALTER TABLE accounts RENAME CONSTRAINT accounts_code_key TO accounts_code_uq;
ALTER TABLE accounts RENAME CONSTRAINT accounts_pkey TO accounts_pk;

-- +down
DROP TABLE accounts;
