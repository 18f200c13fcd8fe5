---- +up
SELECT 1;
