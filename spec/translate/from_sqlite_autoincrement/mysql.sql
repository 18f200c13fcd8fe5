-- up
CREATE TABLE notes (id BIGINT PRIMARY KEY AUTO_INCREMENT, body LONGTEXT NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE labels (id BIGINT PRIMARY KEY AUTO_INCREMENT, name LONGTEXT NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- notice: 9:1: column `id`: SQLite's `INTEGER PRIMARY KEY` assigns a key when none is given, so it becomes an auto-incrementing BIGINT
INSERT INTO notes (body) VALUES ('first'), ('second');
INSERT INTO labels (id, name) VALUES (5, 'bug');
INSERT INTO labels (name) VALUES ('idea');
-- down
DROP TABLE labels;
DROP TABLE notes;
