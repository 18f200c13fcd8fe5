SELECT `a;b`; SELECT 1 # 2;
