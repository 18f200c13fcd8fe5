-- up
CREATE TABLE samples (id BIGINT PRIMARY KEY AUTO_INCREMENT, label LONGTEXT NOT NULL, weight DOUBLE, raw LONGBLOB, amount DECIMAL(65,30), valid BOOLEAN NOT NULL DEFAULT 0, taken_at DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- notice: 4:1: column `id`: SQLite's `INTEGER PRIMARY KEY` assigns a key when none is given, so it becomes an auto-incrementing BIGINT
-- notice: 4:1: column `amount`: unbounded NUMERIC becomes DECIMAL(65, 30), MySQL's widest
INSERT INTO samples (id, label, weight, raw, amount, valid, taken_at) VALUES (3000000000, 'big key', 0.1, X'cafe', 12.5, 1, '2024-01-02 03:04:05');
-- down
DROP TABLE samples;
