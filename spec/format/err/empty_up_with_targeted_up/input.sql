-- +up
-- +up sqlite
SELECT 1;
