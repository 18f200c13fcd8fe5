-- up
CREATE TABLE codes (
    id INTEGER PRIMARY KEY,
    code VARCHAR(20) NOT NULL
);
INSERT INTO codes (id, code) VALUES (1, 'a_b'), (2, 'axb'), (3, 'a\_b');
DELETE FROM codes WHERE code LIKE 'a\_b';
-- down
DROP TABLE codes;
