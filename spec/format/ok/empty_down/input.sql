-- +up
CREATE TABLE t (id int);
-- +down
