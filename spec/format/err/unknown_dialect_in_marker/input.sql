-- +up
SELECT 1;
-- +down oracle
SELECT 2 FROM dual;
