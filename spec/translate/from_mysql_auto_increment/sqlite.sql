-- up
CREATE TABLE orders (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, customer VARCHAR(60) NOT NULL, placed_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
-- notice: 4:1: MySQL table options (ENGINE, CHARSET, ...) dropped: they have no meaning on sqlite
INSERT INTO orders (id, customer, placed_at) VALUES (1, 'ada', '2024-01-02 03:04:05'), (2, 'grace', '2024-02-03 04:05:06');
INSERT INTO orders (customer, placed_at) VALUES ('linus', '2024-03-04 05:06:07');
-- down
DROP TABLE orders;
