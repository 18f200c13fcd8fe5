-- A header comment.
--
-- +up
-- before the statement
/* a block
   comment */
SELECT /* inside */ 1 -- trailing
  + 2; -- after the terminator
-- between
SELECT 3 /* before the terminator */ ;
-- at the end of the section
-- +down
-- only a comment
