-- +up
SELECT 1;
-- +end
