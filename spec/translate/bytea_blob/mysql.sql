-- up
CREATE TABLE files (id INTEGER PRIMARY KEY, content LONGBLOB NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO files (id, content) VALUES (1, X'00ff10');
INSERT INTO files (id, content) VALUES (2, X'0102'), (3, X'616263');
-- down
DROP TABLE files;
