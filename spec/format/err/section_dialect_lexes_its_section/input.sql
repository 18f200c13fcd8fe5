-- +up
SELECT 1;
-- +down mysql
SELECT 'a\'b';
-- +down
SELECT 'a\'b';
