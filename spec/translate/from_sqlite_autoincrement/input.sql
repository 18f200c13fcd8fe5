-- +dialect sqlite
-- SQLite keys: AUTOINCREMENT, and a plain INTEGER PRIMARY KEY (an alias of the rowid, which
-- SQLite also assigns when none is given).
-- +up
CREATE TABLE notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    body TEXT NOT NULL
);
CREATE TABLE labels (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
INSERT INTO notes (body) VALUES ('first'), ('second');
INSERT INTO labels (id, name) VALUES (5, 'bug');
INSERT INTO labels (name) VALUES ('idea');

-- +down
DROP TABLE labels;
DROP TABLE notes;
