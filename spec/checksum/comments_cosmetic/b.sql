-- The t table.
-- +up
/* columns */ CREATE TABLE t (id int, -- key
 name text);
-- +down
DROP TABLE t; -- gone
