SELECT 1--1;
SELECT 2 -- a comment; here
;
SELECT 3 --	after a tab;
;
