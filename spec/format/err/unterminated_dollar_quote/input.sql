-- +up
SELECT 1;
-- +down
CREATE FUNCTION f() RETURNS int AS $body$
  SELECT 1;
$$ LANGUAGE sql;
