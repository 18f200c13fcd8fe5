-- up
CREATE TABLE accounts (id INTEGER PRIMARY KEY AUTO_INCREMENT, owner VARCHAR(80) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO accounts (owner) VALUES ('ada');
INSERT INTO accounts (id, owner) VALUES (10, 'grace');
-- down
DROP TABLE accounts;
