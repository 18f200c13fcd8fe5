-- UNIQUE: inline, table-level over two columns, named and unnamed.
-- +up
CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    email VARCHAR(120) NOT NULL UNIQUE,
    team VARCHAR(40) NOT NULL,
    handle VARCHAR(40) NOT NULL,
    badge INTEGER CONSTRAINT members_badge_key UNIQUE,
    UNIQUE (team, handle),
    CONSTRAINT members_email_team_key UNIQUE (email, team)
);

-- +down
DROP TABLE members;
