-- up
CREATE TABLE tags (
    id SERIAL PRIMARY KEY,
    name VARCHAR(40) NOT NULL
);
INSERT INTO tags (name) VALUES ('red'), ('green');
-- down
DROP TABLE tags;
