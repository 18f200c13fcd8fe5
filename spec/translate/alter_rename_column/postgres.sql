-- up
CREATE TABLE cities (
    id INTEGER PRIMARY KEY,
    nm VARCHAR(80) NOT NULL
);
INSERT INTO cities (id, nm) VALUES (1, 'Lisbon');
ALTER TABLE cities RENAME COLUMN nm TO name;
-- down
ALTER TABLE cities RENAME COLUMN name TO nm;
DROP TABLE cities;
