-- up
CREATE TABLE rates (code CHAR(3) NOT NULL PRIMARY KEY, rate NUMERIC(6,2) NOT NULL);
-- notice: 3:1: column `code`: `CHAR(3)` values shorter than the length are not padded with spaces on sqlite, as PostgreSQL pads them
-- notice: 3:1: column `rate`: SQLite stores NUMERIC(6,2) as an integer or a 64-bit float: exact to 15 significant digits, and not rounded to its scale
CREATE TABLE amounts (id INTEGER PRIMARY KEY, code CHAR(3) NOT NULL, value NUMERIC(8,2) NOT NULL, converted NUMERIC(10,2));
-- notice: 4:1: column `code`: `CHAR(3)` values shorter than the length are not padded with spaces on sqlite, as PostgreSQL pads them
-- notice: 4:1: column `value`: SQLite stores NUMERIC(8,2) as an integer or a 64-bit float: exact to 15 significant digits, and not rounded to its scale
-- notice: 4:1: column `converted`: SQLite stores NUMERIC(10,2) as an integer or a 64-bit float: exact to 15 significant digits, and not rounded to its scale
INSERT INTO rates (code, rate) VALUES ('EUR', 2.00);
INSERT INTO amounts (id, code, value) VALUES (1, 'EUR', 10.00);
UPDATE amounts SET converted = amounts.value * rates.rate FROM rates WHERE rates.code = amounts.code;
-- down
DROP TABLE amounts;
DROP TABLE rates;
