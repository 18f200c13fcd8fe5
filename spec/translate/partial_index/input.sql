-- A partial index only speeds up queries: elsewhere it can be a full index.
-- +up
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    state VARCHAR(10) NOT NULL,
    run_at TIMESTAMP NOT NULL
);
CREATE INDEX jobs_pending_idx ON jobs (run_at) WHERE state = 'pending';

-- +down
DROP INDEX jobs_pending_idx;
DROP TABLE jobs;
