-- up
CREATE TABLE sessions (id INTEGER PRIMARY KEY, created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), seen_at DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6), day DATE DEFAULT (CURRENT_DATE)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- notice: 3:1: column `seen_at`: TIMESTAMPTZ becomes DATETIME(6): MySQL keeps no time zone, so store UTC
INSERT INTO sessions (id) VALUES (1);
UPDATE sessions SET seen_at = CURRENT_TIMESTAMP(6) WHERE seen_at IS NULL;
SELECT count(*) FROM sessions WHERE created_at <= CURRENT_TIMESTAMP(6);
-- down
DROP TABLE sessions;
