-- up
CREATE TABLE teams (id INTEGER PRIMARY KEY);
CREATE TABLE players (
    id INTEGER PRIMARY KEY,
    name VARCHAR(60) NOT NULL
);
INSERT INTO teams (id) VALUES (1);
INSERT INTO players (id, name) VALUES (1, 'ada');
ALTER TABLE players ADD COLUMN team_id INTEGER REFERENCES teams (id) ON DELETE SET NULL;
CREATE INDEX players_team_name_idx ON players (team_id, name);
UPDATE players SET team_id = 1;
-- down
ALTER TABLE players DROP COLUMN team_id;
DROP TABLE players;
DROP TABLE teams;
