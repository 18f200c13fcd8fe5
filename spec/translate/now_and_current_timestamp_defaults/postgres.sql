-- up
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    created_at TIMESTAMP NOT NULL DEFAULT now(),
    seen_at TIMESTAMPTZ DEFAULT CURRENT_TIMESTAMP,
    day DATE DEFAULT CURRENT_DATE
);
INSERT INTO sessions (id) VALUES (1);
UPDATE sessions SET seen_at = now() WHERE seen_at IS NULL;
SELECT count(*) FROM sessions WHERE created_at <= now();
-- down
DROP TABLE sessions;
