-- +dialect mysql
-- +up
SELECT 5--/* c */3;
SELECT 1--#x
+ 2;
-- +down
SELECT 5 - /* c */ -3;
