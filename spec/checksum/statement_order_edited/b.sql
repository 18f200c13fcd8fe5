-- +up
CREATE TABLE b (id int);
CREATE TABLE a (id int);
