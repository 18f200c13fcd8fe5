-- TIME WITH TIME ZONE: a time of day in a zone exists only on PostgreSQL.
-- +up
CREATE TABLE shifts (
    id INTEGER PRIMARY KEY,
    starts TIMETZ NOT NULL
);

-- +down
DROP TABLE shifts;
