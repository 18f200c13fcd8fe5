-- up
CREATE TABLE settings (
    id INTEGER PRIMARY KEY,
    doc JSON NOT NULL,
    extra JSONB
);
INSERT INTO settings (id, doc, extra) VALUES (1, '{"theme": "dark"}', '{"b": 1, "a": [1, 2]}');
-- down
DROP TABLE settings;
