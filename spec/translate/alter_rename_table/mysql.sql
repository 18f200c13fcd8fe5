-- up
CREATE TABLE tmp_customers (id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX customers_name_idx ON tmp_customers(name);
ALTER TABLE tmp_customers RENAME TO customers;
-- down
DROP INDEX customers_name_idx ON customers;
DROP TABLE customers;
