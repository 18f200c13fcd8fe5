-- up
CREATE TABLE invoices (id INTEGER PRIMARY KEY AUTOINCREMENT, total NUMERIC(10,2) NOT NULL);
-- notice: 4:1: column `id`: `GENERATED ALWAYS AS IDENTITY` becomes AUTOINCREMENT, which also accepts keys given explicitly (PostgreSQL rejects them)
-- notice: 4:1: column `total`: SQLite stores NUMERIC(10,2) as an integer or a 64-bit float: exact to 15 significant digits, and not rounded to its scale
INSERT INTO invoices (total) VALUES (12.50), (3.25);
-- down
DROP TABLE invoices;
