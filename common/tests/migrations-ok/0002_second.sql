-- test fixture: a second migration
CREATE TABLE t.b (id int PRIMARY KEY REFERENCES t.a);
