-- +up
CREATE TABLE t (id int);
-- +down
SELECT $$
-- +up sqlite
$$;
