-- +up
SELECT 1;
SELECT
  2;
-- +down
SELECT 3;
