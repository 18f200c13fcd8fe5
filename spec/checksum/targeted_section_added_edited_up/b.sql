-- +up
CREATE TABLE t (id int, name text);
-- +down
DROP TABLE t;
-- +up sqlite
CREATE TABLE t (id INTEGER, name TEXT);
