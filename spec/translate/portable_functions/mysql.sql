-- up
CREATE TABLE words (id INTEGER PRIMARY KEY, word VARCHAR(20) NOT NULL, note VARCHAR(20)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO words (id, word, note) VALUES (1, 'naïve', NULL), (2, 'Straße', 'german');
CREATE VIEW word_facts AS SELECT id, CHAR_LENGTH(word) AS chars, upper(word) AS shout, CONCAT_WS('', word, '/', note) AS joined, coalesce(note, 'none') AS note_or_none, replace(word, 'a', '4') AS leet, abs(-id) AS pos, round(2.5) AS half FROM words;
-- down
DROP VIEW word_facts;
DROP TABLE words;
