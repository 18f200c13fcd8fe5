-- +up
INSERT INTO t VALUES ('café');
