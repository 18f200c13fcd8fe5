-- up
CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, title VARCHAR(100) NOT NULL, body TEXT, published INTEGER NOT NULL DEFAULT 0, featured BOOLEAN DEFAULT true, score REAL, price NUMERIC(8,2), created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP);
-- notice: 4:1: column `price`: SQLite stores DECIMAL(8,2) as an integer or a 64-bit float: exact to 15 significant digits, and not rounded to its scale
-- notice: 4:1: MySQL table options (ENGINE, CHARSET, ...) dropped: they have no meaning on sqlite
INSERT INTO posts (title, body, published, score, price, created_at) VALUES ('it''s', 'C:\path\to', 1, 0.5, 9.99, '2024-01-02 03:04:05.678');
-- down
DROP TABLE posts;
