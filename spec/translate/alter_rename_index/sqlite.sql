-- up
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, title VARCHAR(200) NOT NULL, published BOOLEAN NOT NULL DEFAULT false);
CREATE UNIQUE INDEX posts_user_title_key ON posts(user_id, title);
CREATE INDEX posts_published_idx ON posts(user_id) WHERE published;
INSERT INTO posts (id, user_id, title, published) VALUES (1, 1, 'a', true);
DROP INDEX IF EXISTS posts_user_title_key;
CREATE UNIQUE INDEX posts_user_title_uq ON posts(user_id, title);
-- notice: 13:1: SQLite cannot rename an index: `posts_user_title_key` is dropped and created again as `posts_user_title_uq`
ALTER TABLE posts RENAME COLUMN title TO headline;
DROP INDEX IF EXISTS posts_user_title_uq;
CREATE UNIQUE INDEX posts_user_headline_uq ON posts(user_id, headline);
-- notice: 15:1: SQLite cannot rename an index: `posts_user_title_uq` is dropped and created again as `posts_user_headline_uq`
DROP INDEX IF EXISTS posts_published_idx;
CREATE INDEX posts_pub_idx ON posts(user_id) WHERE published;
-- notice: 16:1: SQLite cannot rename an index: `posts_published_idx` is dropped and created again as `posts_pub_idx`
-- down
DROP TABLE posts;
