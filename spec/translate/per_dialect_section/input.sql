-- The way out of a refusal: a section written for one database. MySQL has no partial UNIQUE
-- index; a unique generated column keeps "one active subscription per user" there.
-- +up
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    active BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX subscriptions_one_active ON subscriptions (user_id) WHERE active;
INSERT INTO subscriptions (id, user_id, active) VALUES (1, 7, TRUE), (2, 7, FALSE), (3, 7, FALSE);

-- +up mysql
CREATE TABLE subscriptions (
    id INT PRIMARY KEY,
    user_id INT NOT NULL,
    active BOOLEAN NOT NULL,
    active_user_id INT AS (IF(active, user_id, NULL)) STORED,
    CONSTRAINT subscriptions_one_active UNIQUE (active_user_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO subscriptions (id, user_id, active) VALUES (1, 7, TRUE), (2, 7, FALSE), (3, 7, FALSE);

-- +down
DROP TABLE subscriptions;
