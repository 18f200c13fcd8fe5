SELECT $$ body;
