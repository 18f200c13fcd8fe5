-- up
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE diary (
    id INTEGER PRIMARY KEY,
    feeling mood NOT NULL
);
-- down
DROP TABLE diary;
DROP TYPE mood;
