-- +up
-- +dialect mysql
SELECT 1;
