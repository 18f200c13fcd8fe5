-- up
CREATE TABLE shirts (
    id INT PRIMARY KEY,
    size ENUM('s', 'm', 'l') NOT NULL
);
-- down
DROP TABLE shirts;
