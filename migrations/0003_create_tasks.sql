-- Tasks: the work inside a project. Open tasks are what the dashboard lists,
-- so they get a partial index.
-- +up
CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    assignee_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    title VARCHAR(200) NOT NULL,
    status VARCHAR(16) NOT NULL DEFAULT 'todo'
        CHECK (status IN ('todo', 'doing', 'done')),
    priority SMALLINT NOT NULL DEFAULT 2,
    due_date DATE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX tasks_project_idx ON tasks (project_id, status);
CREATE INDEX tasks_open_due_idx ON tasks (due_date) WHERE status <> 'done';

-- +down
-- Dropping the table drops its indexes with it.
DROP TABLE tasks;
