-- up
CREATE TABLE titles (title VARCHAR(200) PRIMARY KEY) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE authors (id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO titles (title) VALUES ('Notes');
INSERT INTO authors (id, name) VALUES (1, 'Ada');
CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, editor_id INTEGER, translator_id INTEGER, title VARCHAR(200) NOT NULL, CONSTRAINT books_author_id_fkey FOREIGN KEY (author_id) REFERENCES authors(id) ON DELETE CASCADE, CONSTRAINT books_editor_id_fkey FOREIGN KEY (editor_id) REFERENCES authors(id) ON DELETE SET NULL ON UPDATE CASCADE, CONSTRAINT books_translator_fk FOREIGN KEY (translator_id) REFERENCES authors(id) ON DELETE RESTRICT, CONSTRAINT books_title_fkey FOREIGN KEY (title) REFERENCES titles(title) ON UPDATE CASCADE) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO books (id, author_id, editor_id, title) VALUES (1, 1, 1, 'Notes');
-- down
DROP TABLE books;
DROP TABLE authors;
DROP TABLE titles;
