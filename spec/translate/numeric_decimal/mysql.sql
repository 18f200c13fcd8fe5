-- up
CREATE TABLE prices (id INTEGER PRIMARY KEY, amount DECIMAL(10,2) NOT NULL, quantity DECIMAL(6), ratio DECIMAL(65,30)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- notice: 3:1: column `ratio`: unbounded NUMERIC becomes DECIMAL(65, 30), MySQL's widest
INSERT INTO prices (id, amount, quantity, ratio) VALUES (1, 1234.50, 12, 0.125);
-- down
DROP TABLE prices;
