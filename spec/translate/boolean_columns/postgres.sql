-- up
CREATE TABLE features (
    name VARCHAR(40) PRIMARY KEY,
    enabled BOOLEAN NOT NULL DEFAULT FALSE,
    beta BOOLEAN DEFAULT TRUE
);
INSERT INTO features (name, enabled, beta) VALUES ('search', TRUE, FALSE), ('export', FALSE, NULL);
INSERT INTO features (name) VALUES ('import');
UPDATE features SET enabled = TRUE WHERE NOT enabled AND beta;
-- down
DROP TABLE features;
