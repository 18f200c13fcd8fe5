-- up
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, title VARCHAR(200) NOT NULL, published BOOLEAN NOT NULL DEFAULT false) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE UNIQUE INDEX posts_user_title_key ON posts(user_id, title);
CREATE INDEX posts_published_idx ON posts(user_id);
-- notice: 11:1: partial index becomes a full index on MySQL (same results, a larger index)
INSERT INTO posts (id, user_id, title, published) VALUES (1, 1, 'a', true);
ALTER TABLE posts RENAME INDEX posts_user_title_key TO posts_user_title_uq;
ALTER TABLE posts RENAME COLUMN title TO headline;
ALTER TABLE posts RENAME INDEX posts_user_title_uq TO posts_user_headline_uq;
ALTER TABLE posts RENAME INDEX posts_published_idx TO posts_pub_idx;
-- down
DROP TABLE posts;
