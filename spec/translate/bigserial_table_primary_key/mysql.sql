-- up
CREATE TABLE events (id BIGINT NOT NULL AUTO_INCREMENT, kind VARCHAR(20) NOT NULL, PRIMARY KEY (id)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO events (kind) VALUES ('login'), ('logout');
-- down
DROP TABLE events;
