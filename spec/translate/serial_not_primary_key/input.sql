-- An auto-incrementing column that is not the key: only PostgreSQL has sequences apart from keys.
-- +up
CREATE TABLE tickets (
    code VARCHAR(12) PRIMARY KEY,
    seq SERIAL
);

-- +down
DROP TABLE tickets;
