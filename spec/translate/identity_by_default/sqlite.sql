-- up
CREATE TABLE accounts (id INTEGER PRIMARY KEY AUTOINCREMENT, owner VARCHAR(80) NOT NULL);
INSERT INTO accounts (owner) VALUES ('ada');
INSERT INTO accounts (id, owner) VALUES (10, 'grace');
-- down
DROP TABLE accounts;
