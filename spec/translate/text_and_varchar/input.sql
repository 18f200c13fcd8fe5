-- Character types: TEXT, VARCHAR(n), unbounded VARCHAR, CHAR(n).
-- +up
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    bio TEXT,
    email VARCHAR(255) NOT NULL UNIQUE,
    nickname VARCHAR,
    country CHAR(2)
);
INSERT INTO people (id, bio, email, nickname, country) VALUES (1, 'Wrote the first program', 'ada@example.com', 'Ada', 'GB');
INSERT INTO people (id, email) VALUES (2, 'ADA@example.com');

-- +down
DROP TABLE people;
