-- Integer and floating-point types.
-- +up
CREATE TABLE measures (
    id BIGINT PRIMARY KEY,
    small SMALLINT,
    normal INTEGER,
    big BIGINT,
    single REAL,
    double DOUBLE PRECISION,
    flt FLOAT
);
INSERT INTO measures VALUES (9007199254740993, -32768, 2147483647, -9223372036854775808, 1.5, 0.1, 2.25);

-- +down
DROP TABLE measures;
