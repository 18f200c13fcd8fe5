-- SET DEFAULT and DROP DEFAULT.
-- +up
CREATE TABLE widgets (
    id INTEGER PRIMARY KEY,
    color VARCHAR(10) DEFAULT 'red',
    size INTEGER,
    made_at TIMESTAMP
);
ALTER TABLE widgets ALTER COLUMN color DROP DEFAULT;
ALTER TABLE widgets ALTER COLUMN size SET DEFAULT 3;
ALTER TABLE widgets ALTER COLUMN made_at SET DEFAULT now();
INSERT INTO widgets (id) VALUES (1);

-- +down
DROP TABLE widgets;
