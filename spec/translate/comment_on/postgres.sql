-- up
CREATE TABLE plans (
    id SERIAL PRIMARY KEY,
    name VARCHAR(40) NOT NULL DEFAULT 'basic',
    price NUMERIC(6, 2) CHECK (price >= 0)
);
COMMENT ON TABLE plans IS 'Subscription plans';
COMMENT ON COLUMN plans.name IS 'Shown to customers; it''s unique per C:\ drive';
-- down
DROP TABLE plans;
