-- +up
INSERT INTO t VALUES ('a  b');
