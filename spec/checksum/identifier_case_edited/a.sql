-- +up
CREATE TABLE t (id int, name text);
-- +down
DROP TABLE t;
