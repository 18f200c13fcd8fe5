CREATE TABLE "semi;colon" ("a""b;" int);
SELECT 1;
