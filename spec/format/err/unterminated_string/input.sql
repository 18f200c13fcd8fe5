-- +up
CREATE TABLE t (name text);
-- +down
INSERT INTO t VALUES ('it''s fine');
INSERT INTO t VALUES ('oops);
