-- test fixture: creates a table, then fails: nothing of it may remain
CREATE TABLE t.half (id int PRIMARY KEY);
INSERT INTO t.half VALUES (1);
SELECT 1 / 0;
