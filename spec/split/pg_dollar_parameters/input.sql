PREPARE q (int, int) AS SELECT $1 + $2;
EXECUTE q (1, 2);
