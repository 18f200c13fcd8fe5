-- +up
CREATE TABLE t (id bigint, name text);
-- +down
DROP TABLE t;
