CREATE FUNCTION f() RETURNS text AS $fn$
  SELECT $$;$$ || $x$ $fn $x$;
$fn$ LANGUAGE sql;
SELECT 2;
