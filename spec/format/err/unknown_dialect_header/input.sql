-- +dialect mssql
-- +up
SELECT 1;
