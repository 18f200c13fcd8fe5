-- A foreign key checked at commit: SQLite can defer it, MySQL cannot.
-- +up
CREATE TABLE nodes (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES nodes (id) DEFERRABLE INITIALLY DEFERRED
);

-- +down
DROP TABLE nodes;
