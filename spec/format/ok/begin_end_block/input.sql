-- +up
CREATE TABLE t (id int);
-- +begin
CREATE FUNCTION one() RETURNS int AS 'SELECT 1' LANGUAGE sql;
-- +end
-- +begin
INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);
-- +end
SELECT 3
-- +down
DROP TABLE t;
