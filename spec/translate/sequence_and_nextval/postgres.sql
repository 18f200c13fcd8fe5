-- up
CREATE SEQUENCE ticket_numbers START 1000;
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    number BIGINT NOT NULL DEFAULT nextval('ticket_numbers')
);
-- down
DROP TABLE tickets;
DROP SEQUENCE ticket_numbers;
