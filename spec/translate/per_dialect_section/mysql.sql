-- up
CREATE TABLE subscriptions (
    id INT PRIMARY KEY,
    user_id INT NOT NULL,
    active BOOLEAN NOT NULL,
    active_user_id INT AS (IF(active, user_id, NULL)) STORED,
    CONSTRAINT subscriptions_one_active UNIQUE (active_user_id)
) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO subscriptions (id, user_id, active) VALUES (1, 7, TRUE), (2, 7, FALSE), (3, 7, FALSE);
-- down
DROP TABLE subscriptions;
