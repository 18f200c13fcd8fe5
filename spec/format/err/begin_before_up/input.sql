-- +begin
SELECT 1;
-- +end
-- +up
SELECT 2;
