-- +up
-- nothing here yet
;
-- +down
SELECT 1;
