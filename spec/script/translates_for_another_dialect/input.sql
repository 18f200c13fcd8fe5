-- +up
CREATE TABLE t (
  id int -- key
);
INSERT INTO t VALUES (1);
