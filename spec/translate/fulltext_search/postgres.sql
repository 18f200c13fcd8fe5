-- up
CREATE TABLE docs (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    search TSVECTOR
);
CREATE INDEX docs_search_idx ON docs USING gin (search);
-- down
DROP TABLE docs;
