-- up
CREATE TABLE jobs (id INTEGER PRIMARY KEY, state VARCHAR(10) NOT NULL, run_at DATETIME(6) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX jobs_pending_idx ON jobs(run_at);
-- notice: 8:1: partial index becomes a full index on MySQL (same results, a larger index)
-- down
DROP INDEX jobs_pending_idx ON jobs;
DROP TABLE jobs;
