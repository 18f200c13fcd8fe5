CREATE TABLE early (id int);
-- +up
SELECT 1;
-- +tx
-- +up
-- +end
