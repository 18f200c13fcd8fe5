-- up
CREATE TABLE features (name VARCHAR(40) NOT NULL PRIMARY KEY, enabled BOOLEAN NOT NULL DEFAULT false, beta BOOLEAN DEFAULT true);
INSERT INTO features (name, enabled, beta) VALUES ('search', true, false), ('export', false, NULL);
INSERT INTO features (name) VALUES ('import');
UPDATE features SET enabled = true WHERE NOT enabled AND beta;
-- down
DROP TABLE features;
