-- Projects belong to one owner; deleting the owner deletes their projects.
-- +up
CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    owner_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name VARCHAR(120) NOT NULL,
    description TEXT,
    budget NUMERIC(12, 2) CHECK (budget >= 0),
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT projects_owner_name_key UNIQUE (owner_id, name)
);

-- +down
DROP TABLE projects;
