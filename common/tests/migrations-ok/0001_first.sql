-- test fixture: a first migration
CREATE SCHEMA t;
CREATE TABLE t.a (id int PRIMARY KEY);
