-- up
CREATE TABLE api_keys (id CHAR(36) PRIMARY KEY DEFAULT (UUID()), label VARCHAR(40) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- notice: 3:1: column `id`: UUID becomes CHAR(36): values compare as text, so write them in the canonical lowercase form PostgreSQL returns
INSERT INTO api_keys (id, label) VALUES ('0d7ea6b2-4a5c-4c1e-9f43-2b6c1f1e8a11', 'ci');
-- down
DROP TABLE api_keys;
