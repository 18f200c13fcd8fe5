-- A partial UNIQUE index decides which rows are accepted: MySQL has no equivalent.
-- +up
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    active BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX subscriptions_one_active ON subscriptions (user_id) WHERE active;

-- +down
DROP TABLE subscriptions;
