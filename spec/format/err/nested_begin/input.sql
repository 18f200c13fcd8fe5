-- +up
-- +begin
SELECT 1;
-- +begin
SELECT 2;
-- +end
