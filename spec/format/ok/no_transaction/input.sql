-- +up
CREATE INDEX CONCURRENTLY t_x_idx ON t (x);
-- +no-transaction
-- +down
DROP INDEX t_x_idx;
