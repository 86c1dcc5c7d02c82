-- 0041: the register found as people type Japanese, and paged for the registrar.
-- The search normalisation lives here, in SQL, and nowhere else: registry.search_key is applied
-- to the names when they are written (registry.name_terms, kept by a trigger) and to the search
-- text when it is asked (store_register.c).
CREATE FUNCTION registry.search_key(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT translate(lower(regexp_replace(normalize(t, NFKC), '[[:space:]・]+', '', 'g')),
                          'ぁあぃいぅうぇえぉおかがきぎくぐけげこごさざしじすずせぜそぞただちぢっつづてでとどなにぬねのはばぱひびぴふぶぷへべぺほぼぽまみむめもゃやゅゆょよらりるれろゎわゐゑをんゔゕゖゝゞ',
                          'ァアィイゥウェエォオカガキギクグケゲコゴサザシジスズセゼソゾタダチヂッツヅテデトドナニヌネノハバパヒビピフブプヘベペホボポマミムメモャヤュユョヨラリルレロヮワヰヱヲンヴヵヶヽヾ') $$;
COMMENT ON FUNCTION registry.search_key(text) IS 'Search form of a name or a search text: NFKC (full-width digits and letters, half-width kana, the ideographic space), white space and middle dots removed, lower case, hiragana as katakana';

CREATE FUNCTION registry.search_terms(t text) RETURNS SETOF text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT DISTINCT k FROM (SELECT registry.search_key(t) AS k
                                  UNION ALL
                                  SELECT registry.search_key(p)
                                  FROM regexp_split_to_table(normalize(t, NFKC), '[[:space:]・]+') AS p) s
          WHERE k <> '' $$;
COMMENT ON FUNCTION registry.search_terms(text) IS 'The terms a name is found by: the whole name and each of its parts (family name, given name), in search form';

CREATE TABLE registry.name_terms (
    regno  char(6) NOT NULL REFERENCES registry.registrants (regno),
    field  text NOT NULL CHECK (field IN ('name', 'name_kana', 'name_latn')),
    term   text NOT NULL CHECK (length(term) BETWEEN 1 AND 400),
    public boolean NOT NULL,
    PRIMARY KEY (regno, field, term)
);
COMMENT ON TABLE registry.name_terms IS 'Search terms of each registrant''s name fields (registry.search_terms of name, name_kana, name_latn), kept by triggers registrants_name_terms_insert and _update';
COMMENT ON COLUMN registry.name_terms.public IS 'The field is one the person chose to publish (in published_fields): only such terms find them in the public register';
CREATE INDEX name_terms_term_idx ON registry.name_terms (term text_pattern_ops, regno) INCLUDE (public);
COMMENT ON INDEX registry.name_terms_term_idx IS 'Serves register search by name prefix (public reg_search_name and the registrar''s reg_admin_search): term ~>=~ key AND term ~<~ key || U+10FFFF, public terms only for the public (public included: an index-only scan)';

-- The terms of a set of registrant rows (one name field a row of f).
CREATE FUNCTION registry.name_terms_sync() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM registry.name_terms WHERE regno = NEW.regno;
        INSERT INTO registry.name_terms (regno, field, term, public)
            SELECT NEW.regno, f.field, t, f.field = ANY (NEW.published_fields)
            FROM (VALUES ('name', NEW.name), ('name_kana', NEW.name_kana), ('name_latn', NEW.name_latn)) f (field, v),
                 registry.search_terms(f.v) t;
        RETURN NULL;
    END IF;
    INSERT INTO registry.name_terms (regno, field, term, public)
        SELECT r.regno, f.field, t, f.field = ANY (r.published_fields)
        FROM new_rows r,
             LATERAL (VALUES ('name', r.name), ('name_kana', r.name_kana), ('name_latn', r.name_latn)) f (field, v),
             registry.search_terms(f.v) t;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION registry.name_terms_sync() IS 'Writes registry.name_terms for inserted registrants (statement trigger: one INSERT for a bulk load) and rewrites them for a registrant whose names or published fields change (row trigger)';
CREATE TRIGGER registrants_name_terms_insert AFTER INSERT ON registry.registrants
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry.name_terms_sync();
CREATE TRIGGER registrants_name_terms_update AFTER UPDATE OF name, name_kana, name_latn, published_fields
    ON registry.registrants FOR EACH ROW EXECUTE FUNCTION registry.name_terms_sync();

INSERT INTO registry.name_terms (regno, field, term, public)
    SELECT r.regno, f.field, t, f.field = ANY (r.published_fields)
    FROM registry.registrants r,
         LATERAL (VALUES ('name', r.name), ('name_kana', r.name_kana), ('name_latn', r.name_latn)) f (field, v),
         registry.search_terms(f.v) t;

-- The registrar's desk pages through the register by status, newest number first.
CREATE INDEX registrants_status_regno_idx ON registry.registrants (status, regno DESC);
COMMENT ON INDEX registry.registrants_status_regno_idx IS 'Serves the registrar''s list filtered by status (reg_admin_list: WHERE status = $1 ORDER BY regno DESC LIMIT/OFFSET, and its count)';

-- The duplicate-person check before registering: same date of birth, similar name.
CREATE INDEX registrants_dob_idx ON registry.registrants (date_of_birth);
COMMENT ON INDEX registry.registrants_dob_idx IS 'Serves the duplicate-person warning (reg_similar: registrants with the applicant''s date of birth, names compared in search form)';
