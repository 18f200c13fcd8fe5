-- +dialect sqlite
-- +dialect mysql
-- +up
SELECT 1;
