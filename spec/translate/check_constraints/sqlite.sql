-- up
CREATE TABLE products (id INTEGER PRIMARY KEY, price NUMERIC(8,2) NOT NULL CHECK (price >= 0), discount NUMERIC(8,2) CONSTRAINT products_discount_range CHECK (discount BETWEEN 0 AND 100), stock INTEGER NOT NULL DEFAULT 0, CHECK (discount IS NULL OR discount <= price), CONSTRAINT products_stock_positive CHECK (stock >= 0));
-- notice: 3:1: column `price`: SQLite stores NUMERIC(8,2) as an integer or a 64-bit float: exact to 15 significant digits, and not rounded to its scale
-- notice: 3:1: column `discount`: SQLite stores NUMERIC(8,2) as an integer or a 64-bit float: exact to 15 significant digits, and not rounded to its scale
INSERT INTO products (id, price, discount) VALUES (1, 10.00, 2.50);
-- down
DROP TABLE products;
