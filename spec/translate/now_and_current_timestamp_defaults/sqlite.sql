-- up
CREATE TABLE sessions (id INTEGER PRIMARY KEY, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, seen_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, day DATE DEFAULT CURRENT_DATE);
-- notice: 3:1: column `seen_at`: TIMESTAMPTZ becomes TIMESTAMP: SQLite keeps no time zone and compares timestamps as text, so store UTC
INSERT INTO sessions (id) VALUES (1);
UPDATE sessions SET seen_at = CURRENT_TIMESTAMP WHERE seen_at IS NULL;
SELECT count(*) FROM sessions WHERE created_at <= CURRENT_TIMESTAMP;
-- down
DROP TABLE sessions;
