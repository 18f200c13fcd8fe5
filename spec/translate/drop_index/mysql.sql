-- up
CREATE TABLE logs (id INTEGER PRIMARY KEY, level VARCHAR(8) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX logs_level_idx ON logs(level);
DROP INDEX logs_level_idx ON logs;
CREATE INDEX logs_level_id_idx ON logs(level, id);
-- down
DROP INDEX IF EXISTS logs_level_id_idx ON logs;
DROP TABLE logs;
