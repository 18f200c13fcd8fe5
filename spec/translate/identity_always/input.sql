-- GENERATED ALWAYS AS IDENTITY: PostgreSQL also rejects explicit keys (without OVERRIDING
-- SYSTEM VALUE); the other databases accept them.
-- +up
CREATE TABLE invoices (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    total NUMERIC(10, 2) NOT NULL
);
INSERT INTO invoices (total) VALUES (12.50), (3.25);

-- +down
DROP TABLE invoices;
