-- Renaming an index: MySQL renames it through its table; SQLite has no ALTER INDEX, so the
-- index is dropped and created again under its new name, with any column renamed since.
-- +up
CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    title VARCHAR(200) NOT NULL,
    published BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE UNIQUE INDEX posts_user_title_key ON posts (user_id, title);
CREATE INDEX posts_published_idx ON posts (user_id) WHERE published;
INSERT INTO posts (id, user_id, title, published) VALUES (1, 1, 'a', TRUE);
ALTER INDEX posts_user_title_key RENAME TO posts_user_title_uq;
ALTER TABLE posts RENAME COLUMN title TO headline;
ALTER INDEX posts_user_title_uq RENAME TO posts_user_headline_uq;
ALTER INDEX posts_published_idx RENAME TO posts_pub_idx;

-- +down
DROP TABLE posts;
