-- up
CREATE TABLE tags (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(40) NOT NULL);
INSERT INTO tags (name) VALUES ('red'), ('green');
-- down
DROP TABLE tags;
