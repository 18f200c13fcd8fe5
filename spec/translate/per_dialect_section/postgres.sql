-- up
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    active BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX subscriptions_one_active ON subscriptions (user_id) WHERE active;
INSERT INTO subscriptions (id, user_id, active) VALUES (1, 7, TRUE), (2, 7, FALSE), (3, 7, FALSE);
-- down
DROP TABLE subscriptions;
