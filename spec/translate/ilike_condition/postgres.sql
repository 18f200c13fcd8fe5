-- up
CREATE TABLE cities (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL);
INSERT INTO cities (id, name) VALUES (1, 'Lisbon'), (2, 'LIMA'), (3, 'Oslo');
DELETE FROM cities WHERE name ILIKE 'li%';
-- down
DROP TABLE cities;
