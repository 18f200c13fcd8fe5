-- up
CREATE TABLE bookings (
    id INTEGER PRIMARY KEY,
    room INTEGER NOT NULL,
    EXCLUDE USING btree (room WITH =)
);
-- down
DROP TABLE bookings;
