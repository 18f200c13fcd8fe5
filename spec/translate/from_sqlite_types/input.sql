-- SQLite types and literals: 64-bit INTEGER and REAL, BLOB with X'..', booleans as 1/0,
-- DATETIME with CURRENT_TIMESTAMP.
-- +up
CREATE TABLE samples (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    weight REAL,
    raw BLOB,
    amount NUMERIC,
    valid BOOLEAN NOT NULL DEFAULT 0,
    taken_at DATETIME DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO samples (id, label, weight, raw, amount, valid, taken_at)
VALUES (3000000000, 'big key', 0.1, X'cafe', 12.5, 1, '2024-01-02 03:04:05');

-- +down
DROP TABLE samples;
