-- up
CREATE TABLE logs (
    id INTEGER PRIMARY KEY,
    level VARCHAR(8) NOT NULL
);
CREATE INDEX logs_level_idx ON logs (level);
DROP INDEX logs_level_idx;
CREATE INDEX logs_level_id_idx ON logs (level, id);
-- down
DROP INDEX IF EXISTS logs_level_id_idx;
DROP TABLE logs;
