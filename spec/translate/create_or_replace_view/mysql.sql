-- up
CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, hidden BOOLEAN NOT NULL DEFAULT false) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO items (id, name, hidden) VALUES (1, 'shown', false), (2, 'secret', true);
CREATE VIEW visible_items AS SELECT id, name FROM items;
CREATE OR REPLACE VIEW visible_items AS SELECT id, name FROM items WHERE NOT hidden;
-- down
DROP VIEW visible_items;
DROP TABLE items;
