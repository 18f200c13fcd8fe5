-- up
CREATE TABLE people (id INTEGER PRIMARY KEY, bio TEXT, email VARCHAR(255) NOT NULL UNIQUE, nickname VARCHAR, country CHAR(2));
-- notice: 3:1: column `country`: `CHAR(2)` values shorter than the length are not padded with spaces on sqlite, as PostgreSQL pads them
INSERT INTO people (id, bio, email, nickname, country) VALUES (1, 'Wrote the first program', 'ada@example.com', 'Ada', 'GB');
INSERT INTO people (id, email) VALUES (2, 'ADA@example.com');
-- down
DROP TABLE people;
