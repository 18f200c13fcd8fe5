;;; SELECT 1;; ;
;
