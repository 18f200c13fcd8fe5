-- +dialect sqlite
-- +up
CREATE TABLE [order] (`id` INTEGER PRIMARY KEY, "note;" TEXT);
-- +down
DROP TABLE [order];
