SELECT [abc;
