-- A UNIQUE TEXT column: on MySQL only a prefix could be unique.
-- +up
CREATE TABLE handles (
    id INTEGER PRIMARY KEY,
    handle TEXT NOT NULL UNIQUE
);

-- +down
DROP TABLE handles;
