-- +up
CREATE TABLE t (id int);
FROBNICATE THE DATABASE;
CREATE TABLE u (
  id int,
  name tetx nonsense
);
