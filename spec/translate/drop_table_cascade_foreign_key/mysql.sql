-- up
CREATE TABLE customers (id INTEGER PRIMARY KEY) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER, CONSTRAINT invoices_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers(id)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- down
ALTER TABLE invoices DROP FOREIGN KEY invoices_customer_id_fkey;
DROP TABLE customers;
-- notice: 10:1: `CASCADE`: foreign key `invoices_customer_id_fkey` of `invoices` references `customers`, so it is dropped first
DROP TABLE invoices;
