-- Demo data, so the quick start has something to look at.
-- +up
INSERT INTO users (id, email, display_name, is_admin) VALUES
    (1, 'ada@example.com', 'Ada Lovelace', TRUE),
    (2, 'grace@example.com', 'Grace Hopper', FALSE);

INSERT INTO projects (id, owner_id, name, description, budget) VALUES
    (1, 1, 'Analytical Engine', 'Notes on the engine; the first program', 1843.00),
    (2, 2, 'Compiler', 'A-0; it''s the first of its kind', 1952.50);

INSERT INTO tasks (id, project_id, assignee_id, title, status, priority, due_date) VALUES
    (1, 1, 1, 'Write note G', 'done', 1, '1843-09-01'),
    (2, 1, 2, 'Review the Bernoulli table', 'doing', 2, '1843-10-01'),
    (3, 2, 2, 'Link the subroutine library', 'todo', 1, NULL);

-- +down
DELETE FROM tasks WHERE id IN (1, 2, 3);
DELETE FROM projects WHERE id IN (1, 2);
DELETE FROM users WHERE id IN (1, 2);
