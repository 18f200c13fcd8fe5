-- +up
SELECT 1;
-- +begin

-- +end
