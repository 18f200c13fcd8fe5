-- Date and time types, with explicit values (UTC, without an offset: MySQL's DATETIME takes none).
-- +up
CREATE TABLE readings (
    id INTEGER PRIMARY KEY,
    taken_on DATE NOT NULL,
    taken_at TIME,
    logged TIMESTAMP,
    logged_ms TIMESTAMP(3),
    logged_tz TIMESTAMPTZ
);
INSERT INTO readings (id, taken_on, taken_at, logged, logged_ms, logged_tz)
VALUES (1, '2024-02-29', '13:45:10', '2024-02-29 13:45:10.123456', '2024-02-29 13:45:10.123', '2024-02-29 13:45:10');

-- +down
DROP TABLE readings;
