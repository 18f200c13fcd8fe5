-- +up
CREATE TABLE t (
  id int,
  name tetx nonsense
);
FROBNICATE;
