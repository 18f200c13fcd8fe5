-- date_trunc() has no faithful equivalent on SQLite or MySQL.
-- +up
CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    at TIMESTAMP NOT NULL
);
CREATE VIEW visits_per_day AS SELECT date_trunc('day', at) AS day, count(*) AS n FROM visits GROUP BY 1;

-- +down
DROP VIEW visits_per_day;
DROP TABLE visits;
