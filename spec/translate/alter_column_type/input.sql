-- ALTER COLUMN TYPE: MySQL restates the whole column, from the schema model.
-- +up
CREATE TABLE counters (
    id SERIAL PRIMARY KEY,
    hits INTEGER NOT NULL DEFAULT 0,
    label VARCHAR(20)
);
ALTER TABLE counters ALTER COLUMN hits TYPE BIGINT;
ALTER TABLE counters ALTER COLUMN label SET DATA TYPE VARCHAR(100);

-- +down
DROP TABLE counters;
