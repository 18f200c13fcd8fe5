-- Users who sign in.
-- +up
CREATE TABLE users (
    id SERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE
);
CREATE INDEX users_email_idx ON users (email);

-- +down
DROP INDEX users_email_idx;
DROP TABLE users;
