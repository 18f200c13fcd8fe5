-- up
CREATE TABLE cities (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO cities (id, name) VALUES (1, 'Lisbon'), (2, 'LIMA'), (3, 'Oslo');
DELETE FROM cities WHERE LOWER(name) LIKE LOWER('li%');
-- down
DROP TABLE cities;
