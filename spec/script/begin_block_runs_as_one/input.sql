-- +up
-- +begin
INSERT INTO t VALUES (1); INSERT INTO t VALUES (2);
-- +end
