-- +up
CREATE TABLE t2 (id int, name text);
-- +down
DROP TABLE t2;
