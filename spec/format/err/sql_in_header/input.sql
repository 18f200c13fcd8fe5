-- Create the users table.
CREATE TABLE users (id int);
CREATE TABLE more (id int);
-- +up
SELECT 1;
