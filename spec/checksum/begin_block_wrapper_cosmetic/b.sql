-- +up
-- +begin
CREATE TABLE t (id int);
-- +end
