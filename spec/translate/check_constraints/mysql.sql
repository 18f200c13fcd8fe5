-- up
CREATE TABLE products (id INTEGER PRIMARY KEY, price DECIMAL(8,2) NOT NULL, discount DECIMAL(8,2), stock INTEGER NOT NULL DEFAULT 0, CONSTRAINT products_price_check CHECK (price >= 0), CONSTRAINT products_discount_range CHECK (discount BETWEEN 0 AND 100), CONSTRAINT products_check CHECK (discount IS NULL OR discount <= price), CONSTRAINT products_stock_positive CHECK (stock >= 0)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO products (id, price, discount) VALUES (1, 10.00, 2.50);
-- down
DROP TABLE products;
