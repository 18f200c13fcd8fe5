-- up
CREATE TABLE regions (id INTEGER PRIMARY KEY, code VARCHAR(8) NOT NULL);
CREATE TABLE stores (
    id INTEGER PRIMARY KEY,
    region_id INTEGER NOT NULL,
    code VARCHAR(8) NOT NULL,
    area INTEGER
);
ALTER TABLE regions ADD UNIQUE (code);
ALTER TABLE stores ADD CONSTRAINT stores_region_fk FOREIGN KEY (region_id) REFERENCES regions (id) ON DELETE CASCADE;
ALTER TABLE stores ADD CONSTRAINT stores_code_key UNIQUE (code);
ALTER TABLE stores ADD CHECK (area > 0);
ALTER TABLE stores DROP CONSTRAINT stores_area_check;
-- down
ALTER TABLE stores DROP CONSTRAINT stores_code_key;
ALTER TABLE stores DROP CONSTRAINT stores_region_fk;
ALTER TABLE regions DROP CONSTRAINT regions_code_key;
DROP TABLE stores;
DROP TABLE regions;
