-- +up
FROBNICATE THE DATABASE -- loudly
;
