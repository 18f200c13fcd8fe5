-- MySQL ENUM columns: the others need a CHECK constraint instead.
-- +up
CREATE TABLE shirts (
    id INT PRIMARY KEY,
    size ENUM('s', 'm', 'l') NOT NULL
);

-- +down
DROP TABLE shirts;
