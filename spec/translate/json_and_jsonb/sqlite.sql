-- up
CREATE TABLE settings (id INTEGER PRIMARY KEY, doc TEXT NOT NULL CHECK (json_valid(doc)), extra TEXT CHECK (json_valid(extra)));
-- notice: 3:1: column `extra`: JSONB becomes TEXT checked by json_valid(): SQLite returns a document as written, not normalised as JSONB is
INSERT INTO settings (id, doc, extra) VALUES (1, '{"theme": "dark"}', '{"b": 1, "a": [1, 2]}');
-- down
DROP TABLE settings;
