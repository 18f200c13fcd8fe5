-- up
-- notice: 3:1: `CREATE EXTENSION citext` skipped: sqlite has no extensions; each use of what it provides is checked where it is used
CREATE TABLE logins (id INTEGER PRIMARY KEY, email TEXT NOT NULL COLLATE nocase);
-- notice: 4:1: column `email`: CITEXT becomes TEXT COLLATE NOCASE, which ignores the case of ASCII letters only
INSERT INTO logins (id, email) VALUES (1, 'Ada@Example.com');
-- down
DROP TABLE logins;
-- notice: 12:1: `DROP EXTENSION` skipped: sqlite has no extensions
