-- up
CREATE TABLE rates (code CHAR(3) PRIMARY KEY, rate NUMERIC(6, 2) NOT NULL);
CREATE TABLE amounts (id INTEGER PRIMARY KEY, code CHAR(3) NOT NULL, value NUMERIC(8, 2) NOT NULL, converted NUMERIC(10, 2));
INSERT INTO rates (code, rate) VALUES ('EUR', 2.00);
INSERT INTO amounts (id, code, value) VALUES (1, 'EUR', 10.00);
UPDATE amounts SET converted = amounts.value * rates.rate FROM rates WHERE rates.code = amounts.code;
-- down
DROP TABLE amounts;
DROP TABLE rates;
