-- +up
SELECT 1 [2J[1;31mFAKE 31m  FROM;
SELECT 'x]0;titley';
