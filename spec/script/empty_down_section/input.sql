-- +up
CREATE TABLE t (id int);
-- +down
-- Nothing to undo: the table is kept.
