-- +up
CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);
-- +begin
INSERT INTO t VALUES (1, 'a
b');
-- +end
-- +downDROP TABLE t;