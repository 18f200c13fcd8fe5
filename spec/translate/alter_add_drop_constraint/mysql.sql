-- up
CREATE TABLE regions (id INTEGER PRIMARY KEY, code VARCHAR(8) NOT NULL) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE stores (id INTEGER PRIMARY KEY, region_id INTEGER NOT NULL, code VARCHAR(8) NOT NULL, area INTEGER) DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
ALTER TABLE regions ADD CONSTRAINT regions_code_key UNIQUE (code);
ALTER TABLE stores ADD CONSTRAINT stores_region_fk FOREIGN KEY (region_id) REFERENCES regions(id) ON DELETE CASCADE;
ALTER TABLE stores ADD CONSTRAINT stores_code_key UNIQUE (code);
ALTER TABLE stores ADD CONSTRAINT stores_area_check CHECK (area > 0);
ALTER TABLE stores DROP CONSTRAINT stores_area_check;
-- down
ALTER TABLE stores DROP INDEX stores_code_key;
ALTER TABLE stores DROP FOREIGN KEY stores_region_fk;
ALTER TABLE regions DROP INDEX regions_code_key;
DROP TABLE stores;
DROP TABLE regions;
