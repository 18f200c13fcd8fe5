-- up
CREATE TABLE readings (id INTEGER PRIMARY KEY, taken_on DATE NOT NULL, taken_at TIME(6), logged DATETIME(6), logged_ms DATETIME(3), logged_tz DATETIME(6)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- notice: 3:1: column `logged_tz`: TIMESTAMPTZ becomes DATETIME(6): MySQL keeps no time zone, so store UTC
INSERT INTO readings (id, taken_on, taken_at, logged, logged_ms, logged_tz) VALUES (1, '2024-02-29', '13:45:10', '2024-02-29 13:45:10.123456', '2024-02-29 13:45:10.123', '2024-02-29 13:45:10');
-- down
DROP TABLE readings;
