-- +down
DROP TABLE t;
