-- PostgreSQL-only ALTER TABLE operations are refused before anything runs, not left to fail
-- half-way through a migration on MySQL.
-- +up
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER,
    CONSTRAINT accounts_parent_fk FOREIGN KEY (parent_id) REFERENCES accounts (id)
);
ALTER TABLE accounts RENAME CONSTRAINT accounts_parent_fk TO accounts_parent_fkey;
ALTER TABLE accounts VALIDATE CONSTRAINT accounts_parent_fkey;

-- +down
DROP TABLE accounts;
