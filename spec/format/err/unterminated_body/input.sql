-- +up sqlite
CREATE TRIGGER t_ai AFTER INSERT ON t
BEGIN
  UPDATE t SET n = n + 1;
