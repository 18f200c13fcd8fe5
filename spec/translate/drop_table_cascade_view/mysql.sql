-- up
CREATE TABLE orders (id INTEGER PRIMARY KEY, total DECIMAL(8,2) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE VIEW big_orders AS SELECT id FROM orders WHERE total > 100;
CREATE VIEW big_order_count AS SELECT count(*) AS n FROM big_orders;
-- down
DROP VIEW IF EXISTS big_order_count;
DROP VIEW IF EXISTS big_orders;
DROP TABLE orders;
-- notice: 8:1: `CASCADE`: view `big_order_count` reads `orders`, so it is dropped first, as PostgreSQL drops it
-- notice: 8:1: `CASCADE`: view `big_orders` reads `orders`, so it is dropped first, as PostgreSQL drops it
