-- MySQL keys: AUTO_INCREMENT (which moves past keys given explicitly), and the table options
-- PostgreSQL and SQLite have no use for.
-- +up
CREATE TABLE orders (
    id INT NOT NULL AUTO_INCREMENT,
    customer VARCHAR(60) NOT NULL,
    placed_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
INSERT INTO orders (id, customer, placed_at) VALUES (1, 'ada', '2024-01-02 03:04:05'), (2, 'grace', '2024-02-03 04:05:06');
INSERT INTO orders (customer, placed_at) VALUES ('linus', '2024-03-04 05:06:07');

-- +down
DROP TABLE orders;
