-- up
CREATE TABLE people (id INTEGER PRIMARY KEY, bio LONGTEXT, email VARCHAR(255) NOT NULL, nickname LONGTEXT, country CHAR(2), CONSTRAINT people_email_key UNIQUE (email)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- notice: 3:1: column `country`: `CHAR(2)` values shorter than the length are not padded with spaces on mysql, as PostgreSQL pads them
INSERT INTO people (id, bio, email, nickname, country) VALUES (1, 'Wrote the first program', 'ada@example.com', 'Ada', 'GB');
INSERT INTO people (id, email) VALUES (2, 'ADA@example.com');
-- down
DROP TABLE people;
