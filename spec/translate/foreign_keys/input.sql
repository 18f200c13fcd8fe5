-- Foreign keys: inline and table-level, named and unnamed, with referential actions.
-- +up
CREATE TABLE titles (title VARCHAR(200) PRIMARY KEY);
CREATE TABLE authors (
    id INTEGER PRIMARY KEY,
    name VARCHAR(80) NOT NULL
);
INSERT INTO titles (title) VALUES ('Notes');
INSERT INTO authors (id, name) VALUES (1, 'Ada');
CREATE TABLE books (
    id INTEGER PRIMARY KEY,
    author_id INTEGER NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
    editor_id INTEGER REFERENCES authors ON DELETE SET NULL ON UPDATE CASCADE,
    translator_id INTEGER,
    title VARCHAR(200) NOT NULL,
    CONSTRAINT books_translator_fk FOREIGN KEY (translator_id) REFERENCES authors (id) ON DELETE RESTRICT,
    FOREIGN KEY (title) REFERENCES titles (title) ON UPDATE CASCADE
);
INSERT INTO books (id, author_id, editor_id, title) VALUES (1, 1, 1, 'Notes');

-- +down
DROP TABLE books;
DROP TABLE authors;
DROP TABLE titles;
