-- up
CREATE TABLE articles (id INTEGER PRIMARY KEY, title LONGTEXT NOT NULL, body LONGTEXT) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX articles_title_idx ON articles(`title`(255));
-- notice: 8:1: TEXT column `title` indexed by its first 255 characters on MySQL (same results)
-- down
DROP TABLE articles;
