-- up
CREATE TABLE items (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL, hidden BOOLEAN NOT NULL DEFAULT FALSE);
INSERT INTO items (id, name, hidden) VALUES (1, 'shown', FALSE), (2, 'secret', TRUE);
CREATE VIEW visible_items AS SELECT id, name FROM items;
CREATE OR REPLACE VIEW visible_items AS SELECT id, name FROM items WHERE NOT hidden;
-- down
DROP VIEW visible_items;
DROP TABLE items;
