-- ALTER TABLE ADD COLUMN (with a default and NOT NULL) and DROP COLUMN.
-- +up
CREATE TABLE players (
    id INTEGER PRIMARY KEY,
    name VARCHAR(60) NOT NULL,
    legacy_code VARCHAR(10)
);
INSERT INTO players (id, name, legacy_code) VALUES (1, 'ada', 'X1');
ALTER TABLE players ADD COLUMN rating INTEGER NOT NULL DEFAULT 1000;
ALTER TABLE players DROP COLUMN legacy_code;

-- +down
ALTER TABLE players DROP COLUMN rating;
DROP TABLE players;
