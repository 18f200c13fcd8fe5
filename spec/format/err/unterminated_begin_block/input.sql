-- +up
-- +begin
CREATE FUNCTION f() RETURNS int AS 'SELECT 1' LANGUAGE sql;
