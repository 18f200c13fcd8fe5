-- up
CREATE TABLE defaults_demo (id INTEGER PRIMARY KEY, label LONGTEXT NOT NULL DEFAULT ('none'), delta INTEGER NOT NULL DEFAULT -1, twice INTEGER DEFAULT (2 * 21), tag VARCHAR(10) DEFAULT (lower('X'))) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO defaults_demo (id) VALUES (1);
-- down
DROP TABLE defaults_demo;
