-- up
CREATE TABLE plans (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(40) NOT NULL DEFAULT 'basic', price NUMERIC(6,2) CHECK (price >= 0));
-- notice: 3:1: column `price`: SQLite stores NUMERIC(6,2) as an integer or a 64-bit float: exact to 15 significant digits, and not rounded to its scale
-- notice: 8:1: `COMMENT ON` skipped: SQLite keeps no comments
-- notice: 9:1: `COMMENT ON` skipped: SQLite keeps no comments
-- down
DROP TABLE plans;
