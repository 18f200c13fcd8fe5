-- up
CREATE TABLE shifts (
    id INTEGER PRIMARY KEY,
    starts TIMETZ NOT NULL
);
-- down
DROP TABLE shifts;
