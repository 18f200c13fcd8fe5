-- INTERVAL columns exist only on PostgreSQL.
-- +up
CREATE TABLE timers (
    id INTEGER PRIMARY KEY,
    duration INTERVAL NOT NULL
);

-- +down
DROP TABLE timers;
