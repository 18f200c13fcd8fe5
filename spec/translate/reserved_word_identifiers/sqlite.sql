-- up
CREATE TABLE "order" (id INTEGER PRIMARY KEY, "key" VARCHAR(20) NOT NULL, Status VARCHAR(10) NOT NULL, user VARCHAR(20));
INSERT INTO "order" (id, "key", Status, user) VALUES (1, 'k1', 'open', 'ada');
-- down
DROP TABLE "order";
