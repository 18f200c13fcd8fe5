-- +no-transaction
-- +up
CREATE INDEX CONCURRENTLY t_x_idx ON t (x);
-- +down
DROP INDEX t_x_idx;
