-- up
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER,
    CONSTRAINT accounts_parent_fk FOREIGN KEY (parent_id) REFERENCES accounts (id)
);
ALTER TABLE accounts RENAME CONSTRAINT accounts_parent_fk TO accounts_parent_fkey;
ALTER TABLE accounts VALIDATE CONSTRAINT accounts_parent_fkey;
-- down
DROP TABLE accounts;
