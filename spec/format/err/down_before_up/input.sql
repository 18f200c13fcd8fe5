-- +down
DROP TABLE t;
-- +up
CREATE TABLE t (id int);
