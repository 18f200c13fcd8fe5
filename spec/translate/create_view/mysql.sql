-- up
CREATE TABLE staff (id INTEGER PRIMARY KEY, first_name VARCHAR(40) NOT NULL, last_name VARCHAR(40) NOT NULL, active BOOLEAN NOT NULL DEFAULT true, salary DECIMAL(10,2)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO staff (id, first_name, last_name, active, salary) VALUES (1, 'Ada', 'Lovelace', true, 100.50), (2, 'Charles', 'Babbage', false, 90);
CREATE VIEW active_staff AS SELECT id, CONCAT(CONCAT(first_name, ' '), last_name) AS full_name, CAST(salary AS SIGNED) AS rounded FROM staff WHERE active;
-- down
DROP VIEW active_staff;
DROP TABLE staff;
