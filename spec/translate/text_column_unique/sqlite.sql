-- up
CREATE TABLE handles (id INTEGER PRIMARY KEY, handle TEXT NOT NULL UNIQUE);
-- down
DROP TABLE handles;
