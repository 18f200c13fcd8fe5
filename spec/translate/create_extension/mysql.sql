-- up
-- notice: 3:1: `CREATE EXTENSION citext` skipped: mysql has no extensions; each use of what it provides is checked where it is used
CREATE TABLE logins (id INTEGER PRIMARY KEY, email LONGTEXT NOT NULL COLLATE utf8mb4_unicode_ci) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- notice: 4:1: column `email`: CITEXT becomes LONGTEXT under utf8mb4_unicode_ci, which ignores accents as well as case
INSERT INTO logins (id, email) VALUES (1, 'Ada@Example.com');
-- down
DROP TABLE logins;
-- notice: 12:1: `DROP EXTENSION` skipped: mysql has no extensions
