-- +up
create table t (id INT, name TEXT);
-- +down
drop table t;
