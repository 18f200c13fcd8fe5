-- Exact numbers: NUMERIC(p, s), DECIMAL(p), unbounded NUMERIC.
-- +up
CREATE TABLE prices (
    id INTEGER PRIMARY KEY,
    amount NUMERIC(10, 2) NOT NULL,
    quantity DECIMAL(6),
    ratio NUMERIC
);
INSERT INTO prices (id, amount, quantity, ratio) VALUES (1, 1234.50, 12, 0.125);

-- +down
DROP TABLE prices;
