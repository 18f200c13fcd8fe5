-- up
CREATE TABLE recipes (
    id INTEGER PRIMARY KEY,
    tags TEXT[] NOT NULL
);
-- down
DROP TABLE recipes;
