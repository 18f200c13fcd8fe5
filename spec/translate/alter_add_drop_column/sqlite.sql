-- up
CREATE TABLE players (id INTEGER PRIMARY KEY, name VARCHAR(60) NOT NULL, legacy_code VARCHAR(10));
INSERT INTO players (id, name, legacy_code) VALUES (1, 'ada', 'X1');
-- sqlite table rebuild, planned when it runs:
ALTER TABLE players ADD COLUMN rating INTEGER NOT NULL DEFAULT 1000;
ALTER TABLE players DROP COLUMN legacy_code;
-- down
-- sqlite table rebuild, planned when it runs:
ALTER TABLE players DROP COLUMN rating;
DROP TABLE players;
