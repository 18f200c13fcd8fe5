-- up
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TABLE logins (
    id INTEGER PRIMARY KEY,
    email CITEXT NOT NULL
);
INSERT INTO logins (id, email) VALUES (1, 'Ada@Example.com');
-- down
DROP TABLE logins;
DROP EXTENSION IF EXISTS citext;
