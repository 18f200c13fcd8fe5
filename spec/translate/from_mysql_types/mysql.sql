-- up
CREATE TABLE posts (
    id INT AUTO_INCREMENT PRIMARY KEY,
    title VARCHAR(100) NOT NULL,
    body MEDIUMTEXT,
    published TINYINT(1) NOT NULL DEFAULT 0,
    featured BOOLEAN DEFAULT TRUE,
    score DOUBLE,
    price DECIMAL(8, 2),
    created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;
INSERT INTO posts (title, body, published, score, price, created_at)
VALUES ('it\'s', 'C:\\path\\to', 1, 0.5, 9.99, '2024-01-02 03:04:05.678');
-- down
DROP TABLE posts;
