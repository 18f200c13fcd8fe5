-- up
CREATE TABLE settings (id INTEGER PRIMARY KEY, doc JSON NOT NULL, extra JSON) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- notice: 3:1: column `doc`: JSON becomes MySQL's JSON: the same documents, but their text may come back with other spacing and key order
-- notice: 3:1: column `extra`: JSONB becomes MySQL's JSON: the same documents, but their text may come back with other spacing and key order
INSERT INTO settings (id, doc, extra) VALUES (1, '{"theme": "dark"}', '{"b": 1, "a": [1, 2]}');
-- down
DROP TABLE settings;
