-- Binary data: BYTEA, with hex literals (cast, and written into the column) and plain text.
-- +up
CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    content BYTEA NOT NULL
);
INSERT INTO files (id, content) VALUES (1, '\x00ff10'::bytea);
INSERT INTO files (id, content) VALUES (2, '\x0102'), (3, 'abc');

-- +down
DROP TABLE files;
