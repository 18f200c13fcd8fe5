--+UP
SELECT 1;
  --   +No-Transaction  
	--	+Down	
SELECT 2;
