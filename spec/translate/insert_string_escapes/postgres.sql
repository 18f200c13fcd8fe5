-- up
CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    body VARCHAR(200) NOT NULL
);
INSERT INTO messages (id, body) VALUES
    (1, 'it''s'),
    (2, 'C:\temp\new'),
    (3, E'tab\there\nnext line'),
    (4, 'ünïcödé ✓'),
    (5, 'a "quoted" word'),
    (6, $$dollar 'quoted' \ text$$);
-- down
DELETE FROM messages WHERE id BETWEEN 1 AND 6;
DROP TABLE messages;
