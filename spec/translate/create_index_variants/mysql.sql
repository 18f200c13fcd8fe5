-- up
CREATE TABLE posts (id INTEGER PRIMARY KEY, author VARCHAR(40) NOT NULL, slug VARCHAR(80) NOT NULL, published_at DATETIME(6)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX posts_author_published_idx ON posts(author, published_at DESC);
CREATE UNIQUE INDEX posts_slug_idx ON posts(slug);
CREATE INDEX IF NOT EXISTS posts_published_idx ON posts(published_at);
-- down
DROP TABLE posts;
