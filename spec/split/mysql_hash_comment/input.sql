# a comment; still a comment
SELECT 1; # trailing; comment
SELECT 2;
