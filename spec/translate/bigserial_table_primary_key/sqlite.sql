-- up
CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, kind VARCHAR(20) NOT NULL);
INSERT INTO events (kind) VALUES ('login'), ('logout');
-- down
DROP TABLE events;
