-- up
CREATE TABLE orders (id INTEGER PRIMARY KEY, total NUMERIC(8, 2) NOT NULL);
CREATE VIEW big_orders AS SELECT id FROM orders WHERE total > 100;
CREATE VIEW big_order_count AS SELECT count(*) AS n FROM big_orders;
-- down
DROP TABLE orders CASCADE;
