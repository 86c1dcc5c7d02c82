-- 0063: the xAPI ingest path (a batch of statements -> xapi.statements, cpd.completions,
-- xapi.outcomes) checks its foreign keys once per statement, not once per row. A plain
-- foreign key is a per-row trigger: one SPI query and one row lock per inserted row, four of
-- them per credited xAPI statement (about a quarter of PostgreSQL's CPU for a batch of 100,
-- tests/bench/xapi_ingest_bench.py with XAPI_BENCH_PROFILE=1). Each is replaced by
-- statement-level triggers over the transition table: one set-based query per INSERT (and per
-- UPDATE that could change the key), raising foreign_key_violation as the key did.
--
-- What the referenced side must not do instead: providers, courses and completions have no
-- delete path (completions are history: a correction or a void keeps the row), statements
-- refuse DELETE and key changes (xapi.statements_immutable), and identity ids cannot be
-- updated. The referenced provider and course rows are still locked FOR KEY SHARE, once per
-- distinct row of the statement instead of once per inserted row.

-- xapi.statements.provider_id -> cpd.providers
ALTER TABLE xapi.statements DROP CONSTRAINT statements_provider_id_fkey;
CREATE FUNCTION xapi.statements_provider_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing bigint;
BEGIN
    PERFORM 1 FROM cpd.providers p WHERE p.id IN (SELECT DISTINCT n.provider_id FROM new_rows n) FOR KEY SHARE;
    SELECT n.provider_id INTO missing FROM (SELECT DISTINCT provider_id FROM new_rows) n
     WHERE NOT EXISTS (SELECT 1 FROM cpd.providers p WHERE p.id = n.provider_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'xapi.statements: provider % does not exist', missing USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION xapi.statements_provider_check() IS 'The foreign key statements.provider_id -> cpd.providers(id), checked once per INSERT statement';
CREATE TRIGGER statements_provider_check AFTER INSERT ON xapi.statements
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xapi.statements_provider_check();

-- cpd.completions (course_id, provider_id) -> cpd.courses (id, provider_id)
ALTER TABLE cpd.completions DROP CONSTRAINT completions_course_id_provider_id_fkey;
CREATE FUNCTION cpd.completions_course_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing record;
BEGIN
    PERFORM 1 FROM cpd.courses c
     WHERE (c.id, c.provider_id) IN (SELECT DISTINCT n.course_id, n.provider_id FROM new_rows n) FOR KEY SHARE;
    SELECT n.course_id, n.provider_id INTO missing FROM (SELECT DISTINCT course_id, provider_id FROM new_rows) n
     WHERE NOT EXISTS (SELECT 1 FROM cpd.courses c WHERE c.id = n.course_id AND c.provider_id = n.provider_id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'cpd.completions: course % is not provider %''s', missing.course_id, missing.provider_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION cpd.completions_course_check() IS 'The foreign key completions(course_id, provider_id) -> cpd.courses(id, provider_id), checked once per INSERT or UPDATE statement';
CREATE TRIGGER completions_course_check AFTER INSERT ON cpd.completions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cpd.completions_course_check();
CREATE TRIGGER completions_course_check_update AFTER UPDATE ON cpd.completions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cpd.completions_course_check();

-- xapi.outcomes (provider_id, statement_id) -> xapi.statements, completion_id -> cpd.completions
ALTER TABLE xapi.outcomes DROP CONSTRAINT outcomes_provider_id_statement_id_fkey;
ALTER TABLE xapi.outcomes DROP CONSTRAINT outcomes_completion_id_fkey;
CREATE FUNCTION xapi.outcomes_refs_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing text;
BEGIN
    SELECT n.statement_id::text INTO missing FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM xapi.statements s WHERE s.provider_id = n.provider_id AND s.id = n.statement_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'xapi.outcomes: statement % is not stored', missing USING ERRCODE = 'foreign_key_violation';
    END IF;
    SELECT n.completion_id::text INTO missing FROM new_rows n
     WHERE n.completion_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cpd.completions c WHERE c.id = n.completion_id)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'xapi.outcomes: completion % does not exist', missing USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION xapi.outcomes_refs_check() IS 'The foreign keys outcomes(provider_id, statement_id) -> xapi.statements and outcomes.completion_id -> cpd.completions(id), checked once per INSERT or UPDATE statement';
CREATE TRIGGER outcomes_refs_check AFTER INSERT ON xapi.outcomes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xapi.outcomes_refs_check();
CREATE TRIGGER outcomes_refs_check_update AFTER UPDATE ON xapi.outcomes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION xapi.outcomes_refs_check();
