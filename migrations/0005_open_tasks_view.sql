-- What each person still has to do, newest project first.
-- +up
CREATE VIEW open_tasks AS
SELECT t.id, t.title, t.status, t.due_date, p.name AS project, u.display_name AS assignee
FROM tasks t
JOIN projects p ON p.id = t.project_id
LEFT JOIN users u ON u.id = t.assignee_id
WHERE t.status <> 'done';

-- +down
DROP VIEW open_tasks;
