-- +up
SELECT 1;
-- +down
DROP TABLE "order;
