-- up
CREATE TABLE events (
    id BIGSERIAL,
    kind VARCHAR(20) NOT NULL,
    PRIMARY KEY (id)
);
INSERT INTO events (kind) VALUES ('login'), ('logout');
-- down
DROP TABLE events;
