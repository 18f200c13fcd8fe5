-- A view with a join, string concatenation, a cast and a boolean condition.
-- +up
CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    first_name VARCHAR(40) NOT NULL,
    last_name VARCHAR(40) NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    salary NUMERIC(10, 2)
);
INSERT INTO staff (id, first_name, last_name, active, salary) VALUES (1, 'Ada', 'Lovelace', TRUE, 100.50), (2, 'Charles', 'Babbage', FALSE, 90);
CREATE VIEW active_staff AS
SELECT id, first_name || ' ' || last_name AS full_name, salary::INTEGER AS rounded
FROM staff
WHERE active;

-- +down
DROP VIEW active_staff;
DROP TABLE staff;
