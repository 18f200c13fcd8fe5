  -- leading
 /* block */ SELECT 1 /* trailing */ -- line
 ;
SELECT /* inside */ 2 -- kept
  + 3;
