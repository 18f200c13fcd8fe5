-- +up
SELECT $tag$ never closed;
-- +down
SELECT E'abc\';
-- +up mysql
SELECT `abc;
-- +up sqlite
SELECT [abc;
