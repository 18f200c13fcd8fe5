-- up
CREATE TABLE users (id INTEGER PRIMARY KEY, first_name VARCHAR(40) NOT NULL, last_name VARCHAR(40), display_name VARCHAR(90), score INTEGER NOT NULL DEFAULT 0);
INSERT INTO users (id, first_name, last_name) VALUES (1, 'Ada', 'Lovelace'), (2, 'Grace', NULL), (3, 'Temp', 'User');
UPDATE users SET display_name = first_name || ' ' || COALESCE(last_name, '?'), score = CASE WHEN last_name IS NULL THEN 1 ELSE 2 END;
DELETE FROM users WHERE id IN (SELECT id FROM users WHERE first_name LIKE 'Tem%');
-- down
DROP TABLE users;
