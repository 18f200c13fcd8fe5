-- up
CREATE TABLE api_keys (id TEXT NOT NULL PRIMARY KEY DEFAULT (lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' || SUBSTR(lower(hex(randomblob(2))), 2) || '-' || SUBSTR('89ab', 1 + (abs(random()) % 4), 1) || SUBSTR(lower(hex(randomblob(2))), 2) || '-' || lower(hex(randomblob(6)))), label VARCHAR(40) NOT NULL);
-- notice: 3:1: column `id`: UUID becomes TEXT: values compare as text, so write them in the canonical lowercase form PostgreSQL returns
INSERT INTO api_keys (id, label) VALUES ('0d7ea6b2-4a5c-4c1e-9f43-2b6c1f1e8a11', 'ci');
-- down
DROP TABLE api_keys;
