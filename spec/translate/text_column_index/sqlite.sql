-- up
CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT);
CREATE INDEX articles_title_idx ON articles(title);
-- down
DROP TABLE articles;
