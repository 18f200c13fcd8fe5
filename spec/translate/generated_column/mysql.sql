-- up
CREATE TABLE boxes (id INTEGER PRIMARY KEY, width INTEGER NOT NULL, height INTEGER NOT NULL, area INTEGER GENERATED ALWAYS AS (width * height) STORED) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO boxes (id, width, height) VALUES (1, 3, 4);
-- down
DROP TABLE boxes;
