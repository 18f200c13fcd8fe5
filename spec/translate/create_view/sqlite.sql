-- up
CREATE TABLE staff (id INTEGER PRIMARY KEY, first_name VARCHAR(40) NOT NULL, last_name VARCHAR(40) NOT NULL, active BOOLEAN NOT NULL DEFAULT true, salary NUMERIC(10,2));
-- notice: 3:1: column `salary`: SQLite stores NUMERIC(10,2) as an integer or a 64-bit float: exact to 15 significant digits, and not rounded to its scale
INSERT INTO staff (id, first_name, last_name, active, salary) VALUES (1, 'Ada', 'Lovelace', true, 100.50), (2, 'Charles', 'Babbage', false, 90);
CREATE VIEW active_staff AS SELECT id, first_name || ' ' || last_name AS full_name, CAST(round(salary) AS INTEGER) AS rounded FROM staff WHERE active;
-- down
DROP VIEW active_staff;
DROP TABLE staff;
