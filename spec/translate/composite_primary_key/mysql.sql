-- up
CREATE TABLE enrolments (course VARCHAR(20) NOT NULL, student INTEGER NOT NULL, grade CHAR(1), PRIMARY KEY (course, student)) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- notice: 3:1: column `grade`: `CHAR(1)` values shorter than the length are not padded with spaces on mysql, as PostgreSQL pads them
CREATE TABLE grades_log (id INTEGER PRIMARY KEY, course VARCHAR(20) NOT NULL, student INTEGER NOT NULL, CONSTRAINT grades_log_course_student_fkey FOREIGN KEY (course, student) REFERENCES enrolments(course, student) ON DELETE CASCADE) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO enrolments (course, student, grade) VALUES ('math', 1, 'A'), ('math', 2, NULL);
-- down
DROP TABLE grades_log;
DROP TABLE enrolments;
