-- +up
-- +1 for this design
-- ++ also a comment
-- + up (a space after the plus: a comment)
-- up
--up
SELECT 1;
