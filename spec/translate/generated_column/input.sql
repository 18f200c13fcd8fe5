-- A stored generated column.
-- +up
CREATE TABLE boxes (
    id INTEGER PRIMARY KEY,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    area INTEGER GENERATED ALWAYS AS (width * height) STORED
);
INSERT INTO boxes (id, width, height) VALUES (1, 3, 4);

-- +down
DROP TABLE boxes;
