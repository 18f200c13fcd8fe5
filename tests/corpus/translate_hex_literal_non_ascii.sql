-- +up
CREATE TABLE samples (id INTEGER PRIMARY KEY, raw BLOB);
INSERT INTO samples (id, raw) VALUES (1, X'céafe');
