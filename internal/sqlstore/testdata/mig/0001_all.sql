-- all dialects
CREATE TABLE t_all (x INTEGER);
