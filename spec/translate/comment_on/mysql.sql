-- up
CREATE TABLE plans (id INTEGER NOT NULL PRIMARY KEY AUTO_INCREMENT, name VARCHAR(40) NOT NULL DEFAULT 'basic', price DECIMAL(6,2), CONSTRAINT plans_price_check CHECK (price >= 0)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
ALTER TABLE plans COMMENT = 'Subscription plans';
ALTER TABLE plans MODIFY COLUMN name VARCHAR(40) NOT NULL DEFAULT 'basic' COMMENT 'Shown to customers; it''s unique per C:\\ drive';
-- down
DROP TABLE plans;
