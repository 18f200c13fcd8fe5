-- +dialect MariaDB
-- +up
CREATE TABLE t (id int);
-- +up PostgreSQL
CREATE TABLE t (id int);
-- +down sqlite3
DROP TABLE t;
-- +down pg
DROP TABLE t;
