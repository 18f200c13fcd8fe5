-- Defaults: literals, a negative number, an expression, and a literal on a TEXT column.
-- +up
CREATE TABLE defaults_demo (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL DEFAULT 'none',
    delta INTEGER NOT NULL DEFAULT -1,
    twice INTEGER DEFAULT (2 * 21),
    tag VARCHAR(10) DEFAULT lower('X')
);
INSERT INTO defaults_demo (id) VALUES (1);

-- +down
DROP TABLE defaults_demo;
