SELECT E'it\'s; fine', 'plain';
SELECT e'\\'; SELECT 3;
