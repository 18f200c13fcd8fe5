-- +up
frobnicate the database;
