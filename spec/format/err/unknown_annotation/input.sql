-- +up
CREATE TABLE t (id int);
-- +dwon
DROP TABLE t;
