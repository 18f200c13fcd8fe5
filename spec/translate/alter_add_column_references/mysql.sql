-- up
CREATE TABLE teams (id INTEGER PRIMARY KEY) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE players (id INTEGER PRIMARY KEY, name VARCHAR(60) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO teams (id) VALUES (1);
INSERT INTO players (id, name) VALUES (1, 'ada');
ALTER TABLE players ADD COLUMN team_id INTEGER, ADD CONSTRAINT players_team_id_fkey FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE SET NULL;
CREATE INDEX players_team_name_idx ON players(team_id, name);
UPDATE players SET team_id = 1;
-- down
ALTER TABLE players DROP FOREIGN KEY players_team_id_fkey, DROP INDEX players_team_name_idx, DROP COLUMN team_id;
DROP TABLE players;
DROP TABLE teams;
