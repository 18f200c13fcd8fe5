-- up
CREATE TABLE payloads (
    id INTEGER PRIMARY KEY,
    data JSONB NOT NULL
);
CREATE INDEX payloads_data_idx ON payloads USING gin (data);
-- down
DROP TABLE payloads;
