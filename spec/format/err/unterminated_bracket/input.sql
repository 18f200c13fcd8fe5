-- +up sqlite
CREATE TABLE [order (id int);
