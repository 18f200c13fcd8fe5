-- up
CREATE TABLE members (id INTEGER PRIMARY KEY, email VARCHAR(120) NOT NULL, team VARCHAR(40) NOT NULL, handle VARCHAR(40) NOT NULL, badge INTEGER, CONSTRAINT members_email_key UNIQUE (email), CONSTRAINT members_badge_key UNIQUE (badge), CONSTRAINT members_team_handle_key UNIQUE (team, handle), CONSTRAINT members_email_team_key UNIQUE (email, team)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- down
DROP TABLE members;
