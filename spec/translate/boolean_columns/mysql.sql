-- up
CREATE TABLE features (name VARCHAR(40) PRIMARY KEY, enabled BOOLEAN NOT NULL DEFAULT false, beta BOOLEAN DEFAULT true) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO features (name, enabled, beta) VALUES ('search', true, false), ('export', false, NULL);
INSERT INTO features (name) VALUES ('import');
UPDATE features SET enabled = true WHERE NOT enabled AND beta;
-- down
DROP TABLE features;
