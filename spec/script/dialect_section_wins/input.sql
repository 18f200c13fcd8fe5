-- +up
CREATE TABLE t (id SERIAL);
-- +up sqlite
CREATE TABLE t (id INTEGER PRIMARY KEY);
