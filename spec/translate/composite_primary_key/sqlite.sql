-- up
CREATE TABLE enrolments (course VARCHAR(20) NOT NULL, student INTEGER NOT NULL, grade CHAR(1), PRIMARY KEY (course, student));
-- notice: 3:1: column `grade`: `CHAR(1)` values shorter than the length are not padded with spaces on sqlite, as PostgreSQL pads them
CREATE TABLE grades_log (id INTEGER PRIMARY KEY, course VARCHAR(20) NOT NULL, student INTEGER NOT NULL, FOREIGN KEY (course, student) REFERENCES enrolments(course, student) ON DELETE CASCADE);
INSERT INTO enrolments (course, student, grade) VALUES ('math', 1, 'A'), ('math', 2, NULL);
-- down
DROP TABLE grades_log;
DROP TABLE enrolments;
