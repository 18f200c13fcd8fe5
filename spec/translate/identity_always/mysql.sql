-- up
CREATE TABLE invoices (id BIGINT PRIMARY KEY AUTO_INCREMENT, total DECIMAL(10,2) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- notice: 4:1: column `id`: `GENERATED ALWAYS AS IDENTITY` becomes AUTO_INCREMENT, which also accepts keys given explicitly (PostgreSQL rejects them)
INSERT INTO invoices (total) VALUES (12.50), (3.25);
-- down
DROP TABLE invoices;
