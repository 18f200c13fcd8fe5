-- +up
CREATE TABLE T (id int, name text);
-- +down
DROP TABLE t;
