-- up
CREATE TABLE prices (id INTEGER PRIMARY KEY, amount NUMERIC(10,2) NOT NULL, quantity NUMERIC(6), ratio NUMERIC);
-- notice: 3:1: column `amount`: SQLite stores NUMERIC(10,2) as an integer or a 64-bit float: exact to 15 significant digits, and not rounded to its scale
-- notice: 3:1: column `quantity`: SQLite stores DECIMAL(6) as an integer or a 64-bit float: exact to 15 significant digits, and not rounded to its scale
-- notice: 3:1: column `ratio`: SQLite stores NUMERIC as an integer or a 64-bit float: exact to 15 significant digits, and not rounded to its scale
INSERT INTO prices (id, amount, quantity, ratio) VALUES (1, 1234.50, 12, 0.125);
-- down
DROP TABLE prices;
