-- up
CREATE TABLE tickets (
    code VARCHAR(12) PRIMARY KEY,
    seq SERIAL
);
-- down
DROP TABLE tickets;
