-- +up
SELECT 1;
-- +down
SELECT 2;
-- +up
SELECT 3;
