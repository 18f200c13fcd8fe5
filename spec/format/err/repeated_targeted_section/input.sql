-- +up
SELECT 1;
-- +up sqlite
SELECT 2;
-- +up SQLite3
SELECT 3;
