SELECT 'it''s; ok', "a"";b" FROM t; SELECT 2;
