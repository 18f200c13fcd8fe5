-- up
CREATE TABLE customers (id INTEGER PRIMARY KEY);
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    customer_id INTEGER REFERENCES customers (id)
);
-- down
DROP TABLE customers CASCADE;
DROP TABLE invoices;
