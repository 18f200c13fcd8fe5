-- MySQL unsigned integers: PostgreSQL and SQLite have no unsigned types.
-- +up
CREATE TABLE counters (
    id INT UNSIGNED NOT NULL PRIMARY KEY,
    hits BIGINT UNSIGNED NOT NULL DEFAULT 0
);

-- +down
DROP TABLE counters;
