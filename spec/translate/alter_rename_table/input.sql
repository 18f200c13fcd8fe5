-- ALTER TABLE RENAME TO, with an index that follows the table.
-- +up
CREATE TABLE tmp_customers (
    id INTEGER PRIMARY KEY,
    name VARCHAR(80) NOT NULL
);
CREATE INDEX customers_name_idx ON tmp_customers (name);
ALTER TABLE tmp_customers RENAME TO customers;

-- +down
DROP INDEX customers_name_idx;
DROP TABLE customers;
