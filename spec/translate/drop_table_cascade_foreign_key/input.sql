-- DROP TABLE ... CASCADE also drops the foreign keys of other tables that reference it.
-- +up
CREATE TABLE customers (id INTEGER PRIMARY KEY);
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id)
);

-- +down
DROP TABLE customers CASCADE;
DROP TABLE invoices;
