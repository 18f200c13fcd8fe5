-- +up
SELECT 1;
-- +down
SELECT 2; /* outer /* inner */ still open
SELECT 3;
