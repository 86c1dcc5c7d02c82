/* item-bank: the PostgreSQL store of the item bank (schema bank). The only file of the
 * module that holds SQL; see ib_store.h for the contracts. */
#include "ib_store.h"

#include "rs_audit.h"
#include "rs_error.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IB_ITEM_COLS \
	"i.id, i.version, i.exam, i.status, i.type, i.domain, i.part, i.scenario_id, i.stem_ja, i.stem_en, " \
	"i.options_ja[1], i.options_ja[2], i.options_ja[3], i.options_ja[4], " \
	"i.options_en[1], i.options_en[2], i.options_en[3], i.options_en[4], " \
	"i.key, i.rationale_ja, i.rationale_en, i.author, i.reviewer, p.model, p.a, p.b, p.c " \
	"FROM bank.items i LEFT JOIN bank.item_params p ON p.item_id = i.id AND p.active "

#define IB_SCEN_COLS "id, version, exam, title_ja, title_en, passage_ja, passage_en, author, reviewer FROM bank.scenarios "

int ib_store_role_may_read(const char *role)
{
	static const char *const ok[] = { "psychometrician", "statistician", "auditor", "admin", "cli" };
	if (!role)
		return 0;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (strcmp(role, ok[i]) == 0)
			return 1;
	return 0;
}

static int ib_st_check_reader(const char *actor, const char *role)
{
	if (!actor || !actor[0] || strncmp(actor, "candidate:", 10) == 0 || strncmp(actor, "provider:", 9) == 0 ||
	    strcmp(actor, "public") == 0 || !ib_store_role_may_read(role)) {
		rs_error_set("item text and keys are readable only by staff (actor \"%s\", role \"%s\")",
		             actor ? actor : "", role ? role : "");
		return RS_EPERM;
	}
	return 0;
}

static char *ib_st_dup(PGresult *r, int row, int col)
{
	if (PQgetisnull(r, row, col))
		return NULL;
	return strdup(PQgetvalue(r, row, col));
}

/* Fill it from a row selected with IB_ITEM_COLS (column 0 onwards). */
static int ib_st_row_item(struct ib_item *it, PGresult *r, int row)
{
	memset(it, 0, sizeof *it);
	it->id = ib_st_dup(r, row, 0);
	it->version = atoi(PQgetvalue(r, row, 1));
	it->exam = ib_st_dup(r, row, 2);
	it->status = ib_st_dup(r, row, 3);
	it->type = ib_st_dup(r, row, 4);
	it->domain = ib_st_dup(r, row, 5);
	snprintf(it->part, sizeof it->part, "%s", PQgetvalue(r, row, 6));
	it->scenario = ib_st_dup(r, row, 7);
	it->stem.ja = ib_st_dup(r, row, 8);
	it->stem.en = ib_st_dup(r, row, 9);
	for (int k = 0; k < 4; k++) {
		it->options[k].ja = ib_st_dup(r, row, 10 + k);
		it->options[k].en = ib_st_dup(r, row, 14 + k);
	}
	it->key = atoi(PQgetvalue(r, row, 18));
	it->rationale.ja = ib_st_dup(r, row, 19);
	it->rationale.en = ib_st_dup(r, row, 20);
	it->author = ib_st_dup(r, row, 21);
	it->reviewer = ib_st_dup(r, row, 22);
	if (!PQgetisnull(r, row, 23)) {
		it->has_params = 1;
		snprintf(it->params.model, sizeof it->params.model, "%s", PQgetvalue(r, row, 23));
		it->params.a = strtod(PQgetvalue(r, row, 24), NULL);
		it->params.b = strtod(PQgetvalue(r, row, 25), NULL);
		it->params.c = strtod(PQgetvalue(r, row, 26), NULL);
	}
	int ok = it->id && it->exam && it->status && it->type && it->domain && it->stem.ja && it->stem.en &&
	         it->rationale.ja && it->rationale.en && it->author;
	for (int k = 0; k < 4; k++)
		ok = ok && it->options[k].ja && it->options[k].en;
	if (!ok) {
		ib_item_clear(it);
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	return 0;
}

static int ib_st_row_scenario(struct ib_scenario *sc, PGresult *r, int row)
{
	memset(sc, 0, sizeof *sc);
	sc->id = ib_st_dup(r, row, 0);
	sc->version = atoi(PQgetvalue(r, row, 1));
	sc->exam = ib_st_dup(r, row, 2);
	sc->title.ja = ib_st_dup(r, row, 3);
	sc->title.en = ib_st_dup(r, row, 4);
	sc->passage.ja = ib_st_dup(r, row, 5);
	sc->passage.en = ib_st_dup(r, row, 6);
	sc->author = ib_st_dup(r, row, 7);
	sc->reviewer = ib_st_dup(r, row, 8);
	if (!sc->id || !sc->exam || !sc->title.ja || !sc->title.en || !sc->passage.ja || !sc->passage.en || !sc->author) {
		ib_scenario_clear(sc);
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	return 0;
}

static void ib_st_fmt_double(char *out, size_t cap, double v)
{
	if (!isfinite(v)) {
		out[0] = 0;
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, cap, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* ---------------------------------------------------------------------------------- */
/* Import                                                                              */

struct ib_imp {
	const char *actor, *role;
	const struct ib_itemset *set;
	struct ib_diags *diags;
	struct ib_store_import_stats st;
	char run_id[32];
};

static int ib_imp_diag(struct ib_imp *c, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int ib_imp_diag(struct ib_imp *c, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = ib_diags_vadd(c->diags, line, 0, fmt, ap);
	va_end(ap);
	return rc;
}

/* A database error during import: keep it as the line's problem and stop (the transaction
 * is aborted). Connection loss and conflicts pass through so rs_db_tx can retry. */
static int ib_imp_dberr(struct ib_imp *c, int line, int rc)
{
	if (rc == RS_EUNAVAIL || rc == RS_ECONFLICT || rc == RS_ENOMEM)
		return rc;
	ib_imp_diag(c, line, "database: %s", rs_error_last());
	return RS_EINVAL;
}

static int ib_imp_scenario(rs_db *db, struct ib_imp *c, const struct ib_scenario *sc)
{
	PGresult *r = NULL;
	char ver[16];
	snprintf(ver, sizeof ver, "%d", sc->version);
	const char *pid[] = { sc->id };
	int rc = rs_db_exec(&r, db, "ib_imp_scen_get", "SELECT " IB_SCEN_COLS "WHERE id = $1 FOR UPDATE", 1, pid);
	if (rc)
		return ib_imp_dberr(c, sc->line, rc);
	const char *pv[] = { sc->id, ver, sc->exam, sc->title.ja, sc->title.en, sc->passage.ja, sc->passage.en,
	                     sc->author, sc->reviewer };
	if (PQntuples(r) == 0) {
		PQclear(r);
		rc = rs_db_exec(NULL, db, "ib_imp_scen_ins",
		                "INSERT INTO bank.scenarios (id, version, exam, title_ja, title_en, passage_ja, passage_en, "
		                "author, reviewer) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", 9, pv);
		if (rc)
			return ib_imp_dberr(c, sc->line, rc);
		c->st.scenarios_new++;
		return 0;
	}
	struct ib_scenario old;
	rc = ib_st_row_scenario(&old, r, 0);
	PQclear(r);
	if (rc)
		return rc;
	char *a = ib_scenario_line(&old), *b = ib_scenario_line(sc);
	int same_text = strcmp(old.title.ja, sc->title.ja) == 0 && strcmp(old.title.en, sc->title.en) == 0 &&
	                strcmp(old.passage.ja, sc->passage.ja) == 0 && strcmp(old.passage.en, sc->passage.en) == 0;
	int same = a && b && strcmp(a, b) == 0;
	int old_version = old.version;
	free(a);
	free(b);
	ib_scenario_clear(&old);
	if (same) {
		c->st.scenarios_same++;
		return 0;
	}
	if (sc->version < old_version)
		return ib_imp_diag(c, sc->line, "version: %d is older than the bank's version %d of scenario \"%s\"",
		                   sc->version, old_version, sc->id);
	if (sc->version == old_version && !same_text)
		return ib_imp_diag(c, sc->line, "version: the title or passage changed, so the version must be above %d",
		                   old_version);
	rc = rs_db_exec(NULL, db, "ib_imp_scen_upd",
	                "UPDATE bank.scenarios SET version = $2, exam = $3, title_ja = $4, title_en = $5, passage_ja = $6, "
	                "passage_en = $7, author = $8, reviewer = $9, updated_at = now() WHERE id = $1", 9, pv);
	if (rc)
		return ib_imp_dberr(c, sc->line, rc);
	c->st.scenarios_updated++;
	return 0;
}

/* Canonical line of an item's content (no enemies, no parameters), for comparisons. */
static char *ib_imp_content_line(const struct ib_item *it)
{
	struct ib_item tmp = *it;
	tmp.has_params = 0;
	return ib_item_line(&tmp, NULL, 0);
}

static int ib_imp_transition(rs_db *db, struct ib_imp *c, const struct ib_item *it, const char *from)
{
	const char *p[] = { it->id, from, it->status, c->actor };
	int rc = rs_db_exec(NULL, db, "ib_imp_trans",
	                    "INSERT INTO bank.transitions (item_id, from_status, to_status, actor, note) "
	                    "VALUES ($1, $2, $3, $4, 'import')", 4, p);
	if (rc)
		return ib_imp_dberr(c, it->line, rc);
	c->st.transitions++;
	return 0;
}

static int ib_imp_version_line(rs_db *db, struct ib_imp *c, const struct ib_item *it)
{
	char *line = ib_imp_content_line(it);
	if (!line)
		return RS_ENOMEM;
	char ver[16];
	snprintf(ver, sizeof ver, "%d", it->version);
	const char *p[] = { it->id, ver, line, c->actor };
	int rc = rs_db_exec(NULL, db, "ib_imp_ver",
	                    "INSERT INTO bank.item_versions (item_id, version, line, actor) VALUES ($1, $2, $3, $4) "
	                    "ON CONFLICT (item_id, version) DO UPDATE SET line = EXCLUDED.line, actor = EXCLUDED.actor, "
	                    "at = now() WHERE bank.item_versions.line <> EXCLUDED.line",
	                    4, p);
	free(line);
	return rc ? ib_imp_dberr(c, it->line, rc) : 0;
}

static int ib_imp_params(rs_db *db, struct ib_imp *c, const struct ib_item *it, const struct ib_item *old)
{
	if (!it->has_params)
		return 0;
	if (old && old->has_params && strcmp(old->params.model, it->params.model) == 0 && old->params.a == it->params.a &&
	    old->params.b == it->params.b && old->params.c == it->params.c)
		return 0;
	int rc;
	if (!c->run_id[0]) {
		PGresult *r = NULL;
		const char *p[] = { it->params.model, c->actor };
		rc = rs_db_exec(&r, db, "ib_imp_run",
		                "INSERT INTO bank.calibration_runs (source, model, actor, detail) "
		                "VALUES ('import', $1, $2, '{\"note\":\"parameters from an item file\"}') RETURNING id", 2, p);
		if (rc)
			return ib_imp_dberr(c, it->line, rc);
		snprintf(c->run_id, sizeof c->run_id, "%s", PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	char a[32], b[32], cc[32];
	ib_st_fmt_double(a, sizeof a, it->params.a);
	ib_st_fmt_double(b, sizeof b, it->params.b);
	ib_st_fmt_double(cc, sizeof cc, it->params.c);
	const char *pd[] = { it->id };
	rc = rs_db_exec(NULL, db, "ib_imp_par_off", "UPDATE bank.item_params SET active = false WHERE item_id = $1 AND active",
	                1, pd);
	if (rc)
		return ib_imp_dberr(c, it->line, rc);
	const char *p[] = { c->run_id, it->id, it->params.model, a, b, cc };
	rc = rs_db_exec(NULL, db, "ib_imp_par_ins",
	                "INSERT INTO bank.item_params (run_id, item_id, model, a, b, c, active) "
	                "VALUES ($1, $2, $3, $4, $5, $6, true)", 6, p);
	if (rc)
		return ib_imp_dberr(c, it->line, rc);
	c->st.params_new++;
	return 0;
}

static int ib_imp_item(rs_db *db, struct ib_imp *c, const struct ib_item *it)
{
	PGresult *r = NULL;
	const char *pid[] = { it->id };
	int rc = rs_db_exec(&r, db, "ib_imp_item_get", "SELECT " IB_ITEM_COLS "WHERE i.id = $1 FOR UPDATE OF i", 1, pid);
	if (rc)
		return ib_imp_dberr(c, it->line, rc);
	char ver[16], key[8];
	snprintf(ver, sizeof ver, "%d", it->version);
	snprintf(key, sizeof key, "%d", it->key);
	const char *pv[] = { it->id, ver, it->exam, it->status, it->type, it->domain, it->part, it->scenario,
	                     it->stem.ja, it->stem.en,
	                     it->options[0].ja, it->options[1].ja, it->options[2].ja, it->options[3].ja,
	                     it->options[0].en, it->options[1].en, it->options[2].en, it->options[3].en,
	                     key, it->rationale.ja, it->rationale.en, it->author, it->reviewer };
	if (PQntuples(r) == 0) {
		PQclear(r);
		rc = rs_db_exec(NULL, db, "ib_imp_item_ins",
		                "INSERT INTO bank.items (id, version, exam, status, type, domain, part, scenario_id, stem_ja, "
		                "stem_en, options_ja, options_en, key, rationale_ja, rationale_en, author, reviewer) VALUES "
		                "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, ARRAY[$11, $12, $13, $14], ARRAY[$15, $16, $17, $18], "
		                "$19, $20, $21, $22, $23)", 23, pv);
		if (rc)
			return ib_imp_dberr(c, it->line, rc);
		c->st.items_new++;
		if ((rc = ib_imp_transition(db, c, it, NULL)) != 0 || (rc = ib_imp_version_line(db, c, it)) != 0)
			return rc;
		return ib_imp_params(db, c, it, NULL);
	}
	struct ib_item old;
	rc = ib_st_row_item(&old, r, 0);
	PQclear(r);
	if (rc)
		return rc;
	char *la = ib_imp_content_line(&old), *lb = ib_imp_content_line(it);
	if (!la || !lb) {
		rc = RS_ENOMEM;
		goto done;
	}
	if (strcmp(la, lb) == 0) {
		rc = ib_imp_params(db, c, it, &old);
		if (rc == 0)
			c->st.items_same++;
		goto done;
	}
	if (it->version < old.version) {
		rc = ib_imp_diag(c, it->line, "version: %d is older than the bank's version %d", it->version, old.version);
		goto done;
	}
	if (it->version == old.version && !ib_item_same_content(it, &old)) {
		rc = ib_imp_diag(c, it->line, "version: stem, options, key or scenario changed, so the version must be above %d",
		                 old.version);
		goto done;
	}
	if (strcmp(it->status, old.status) != 0) {
		const char *ps[] = { old.status, it->status };
		rc = rs_db_exec(&r, db, "ib_imp_step",
		                "SELECT 1 FROM bank.lifecycle_steps WHERE from_status = $1 AND to_status = $2", 2, ps);
		if (rc) {
			rc = ib_imp_dberr(c, it->line, rc);
			goto done;
		}
		int legal = PQntuples(r) > 0;
		PQclear(r);
		if (!legal) {
			rc = ib_imp_diag(c, it->line, "status: illegal lifecycle step %s -> %s (the bank has the item as %s)",
			                 old.status, it->status, old.status);
			goto done;
		}
		if ((rc = ib_imp_transition(db, c, it, old.status)) != 0)
			goto done;
	}
	rc = rs_db_exec(NULL, db, "ib_imp_item_upd",
	                "UPDATE bank.items SET version = $2, exam = $3, status = $4, type = $5, domain = $6, part = $7, "
	                "scenario_id = $8, stem_ja = $9, stem_en = $10, options_ja = ARRAY[$11, $12, $13, $14], "
	                "options_en = ARRAY[$15, $16, $17, $18], key = $19, rationale_ja = $20, rationale_en = $21, "
	                "author = $22, reviewer = $23, updated_at = now() WHERE id = $1", 23, pv);
	if (rc) {
		rc = ib_imp_dberr(c, it->line, rc);
		goto done;
	}
	c->st.items_updated++;
	if ((rc = ib_imp_version_line(db, c, it)) == 0)
		rc = ib_imp_params(db, c, it, &old);
done:
	free(la);
	free(lb);
	ib_item_clear(&old);
	return rc;
}

static int ib_imp_enemies(rs_db *db, struct ib_imp *c)
{
	const struct ib_itemset *set = c->set;
	int rc;
	for (size_t i = 0; i < set->n_items; i++) {
		const char *p[] = { set->items[i].id };
		rc = rs_db_exec(NULL, db, "ib_imp_en_del", "DELETE FROM bank.enemies WHERE item_a = $1 OR item_b = $1", 1, p);
		if (rc)
			return ib_imp_dberr(c, set->items[i].line, rc);
	}
	for (size_t i = 0; i < set->n_items; i++) {
		const struct ib_item *it = &set->items[i];
		for (size_t k = 0; k < it->n_enemy; k++) {
			const char *x = it->id, *y = it->enemy[k];
			const char *p[] = { strcmp(x, y) < 0 ? x : y, strcmp(x, y) < 0 ? y : x };
			rc = rs_db_exec(NULL, db, "ib_imp_en_ins",
			                "INSERT INTO bank.enemies (item_a, item_b) SELECT $1, $2 WHERE EXISTS "
			                "(SELECT 1 FROM bank.items WHERE id = $1) AND EXISTS (SELECT 1 FROM bank.items WHERE id = $2) "
			                "ON CONFLICT DO NOTHING RETURNING 1", 2, p);
			if (rc)
				return ib_imp_dberr(c, it->line, rc);
			const char *pe[] = { y };
			PGresult *r = NULL;
			rc = rs_db_exec(&r, db, "ib_imp_en_chk", "SELECT 1 FROM bank.items WHERE id = $1", 1, pe);
			if (rc)
				return ib_imp_dberr(c, it->line, rc);
			int found = PQntuples(r) > 0;
			PQclear(r);
			if (!found && (rc = ib_imp_diag(c, it->line, "enemy: no item \"%s\" in this file or in the bank", y)) != 0)
				return rc;
		}
	}
	return 0;
}

static int ib_imp_tx(rs_db *db, void *arg)
{
	struct ib_imp *c = arg;
	const struct ib_itemset *set = c->set;
	int rc = 0;
	/* A retried transaction starts from scratch. */
	ib_diags_free(c->diags);
	memset(&c->st, 0, sizeof c->st);
	c->run_id[0] = 0;
	/* Exams first (scenarios and items refer to them). */
	for (size_t i = 0; i < set->n_scenarios + set->n_items + 1; i++) {
		const char *exam = i == 0 ? set->meta_exam
		                 : i <= set->n_scenarios ? set->scenarios[i - 1].exam : set->items[i - 1 - set->n_scenarios].exam;
		if (!exam)
			continue;
		const char *p[] = { exam };
		rc = rs_db_exec(NULL, db, "ib_imp_exam", "INSERT INTO bank.exams (code) VALUES ($1) ON CONFLICT DO NOTHING", 1, p);
		if (rc)
			return ib_imp_dberr(c, 0, rc);
	}
	if (set->has_meta && set->meta_title) {
		const char *p[] = { set->meta_exam, set->meta_title };
		rc = rs_db_exec(NULL, db, "ib_imp_title",
		                "UPDATE bank.exams SET title = $2, updated_at = now() WHERE code = $1 AND title IS DISTINCT FROM $2",
		                2, p);
		if (rc)
			return ib_imp_dberr(c, 1, rc);
	}
	for (size_t i = 0; i < set->n_scenarios; i++)
		if ((rc = ib_imp_scenario(db, c, &set->scenarios[i])) != 0)
			return rc;
	for (size_t i = 0; i < set->n_items; i++)
		if ((rc = ib_imp_item(db, c, &set->items[i])) != 0)
			return rc;
	if (c->diags->n_errors == 0 && (rc = ib_imp_enemies(db, c)) != 0)
		return rc;
	if (c->diags->n_errors) {
		rs_error_set("%zu item(s) conflict with the bank; nothing imported", c->diags->n_errors);
		return RS_EINVAL;
	}
	json_t *d = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "items_new", (json_int_t)c->st.items_new,
	                      "items_updated", (json_int_t)c->st.items_updated, "items_same", (json_int_t)c->st.items_same,
	                      "scenarios_new", (json_int_t)c->st.scenarios_new, "scenarios_updated",
	                      (json_int_t)c->st.scenarios_updated, "scenarios_same", (json_int_t)c->st.scenarios_same,
	                      "params_new", (json_int_t)c->st.params_new, "transitions", (json_int_t)c->st.transitions);
	rc = rs_audit(db, c->actor, c->role, "bank.items.import", "bank", d, NULL);
	json_decref(d);
	return rc;
}

int ib_store_import(struct ib_store_import_stats *out, rs_db *db, const char *actor, const char *role,
                    const struct ib_itemset *set, struct ib_diags *diags)
{
	int rc = ib_st_check_reader(actor, role);
	if (rc)
		return rc;
	struct ib_imp c = { .actor = actor, .role = role, .set = set, .diags = diags };
	rc = rs_db_tx(db, RS_DB_SERIALIZABLE, 3, ib_imp_tx, &c);
	if (rc == 0 && out)
		*out = c.st;
	if (rc == 0)
		return 0;
	if (diags->n_errors == 0)
		return rc;
	/* Sort the problems by line, as the reader does. */
	for (size_t i = 1; i < diags->n; i++)
		for (size_t k = i; k > 0 && diags->v[k - 1].line > diags->v[k].line; k--) {
			struct ib_diag t = diags->v[k];
			diags->v[k] = diags->v[k - 1];
			diags->v[k - 1] = t;
		}
	return RS_EINVAL;
}

/* ---------------------------------------------------------------------------------- */
/* Reads (audited)                                                                     */

struct ib_exp {
	const char *actor, *role, *status, *request_id;
	struct ib_itemset *set;
};

static int ib_exp_tx(rs_db *db, void *arg)
{
	struct ib_exp *c = arg;
	PGresult *r = NULL;
	int rc;
	ib_itemset_free(c->set);
	c->set = NULL;
	if ((rc = ib_itemset_new(&c->set)) != 0)
		return rc;
	struct ib_itemset *set = c->set;
	const char *ps[] = { c->status };
	rc = rs_db_exec(&r, db, "ib_exp_items",
	                "SELECT " IB_ITEM_COLS "WHERE $1::text IS NULL OR i.status = $1 ORDER BY i.id COLLATE \"C\"", 1, ps);
	if (rc)
		return rc;
	for (int row = 0; row < PQntuples(r); row++) {
		struct ib_item *it = ib_itemset_add_item(set);
		if (!it || ib_st_row_item(it, r, row)) {
			if (it)
				set->n_items--;
			PQclear(r);
			rs_error_set("out of memory");
			return RS_ENOMEM;
		}
	}
	PQclear(r);
	rc = rs_db_exec(&r, db, "ib_exp_scen",
	                "SELECT " IB_SCEN_COLS "s WHERE EXISTS (SELECT 1 FROM bank.items i WHERE i.scenario_id = s.id "
	                "AND ($1::text IS NULL OR i.status = $1)) ORDER BY s.id COLLATE \"C\"", 1, ps);
	if (rc)
		return rc;
	for (int row = 0; row < PQntuples(r); row++) {
		struct ib_scenario *sc = ib_itemset_add_scenario(set);
		if (!sc || ib_st_row_scenario(sc, r, row)) {
			if (sc)
				set->n_scenarios--;
			PQclear(r);
			rs_error_set("out of memory");
			return RS_ENOMEM;
		}
	}
	PQclear(r);
	/* Enemy pairs touching an exported item: listed on each exported side (the writer makes
	 * the relation canonical). */
	rc = rs_db_exec(&r, db, "ib_exp_enemies", "SELECT item_a, item_b FROM bank.enemies", 0, NULL);
	if (rc)
		return rc;
	for (int row = 0; row < PQntuples(r); row++) {
		for (int side = 0; side < 2; side++) {
			long k = ib_itemset_find_item(set, PQgetvalue(r, row, side));
			if (k < 0)
				continue;
			struct ib_item *it = &set->items[k];
			char **v = realloc(it->enemy, (it->n_enemy + 1) * sizeof *v);
			char *s = strdup(PQgetvalue(r, row, 1 - side));
			if (!v || !s) {
				free(s);
				if (v)
					it->enemy = v;
				PQclear(r);
				rs_error_set("out of memory");
				return RS_ENOMEM;
			}
			it->enemy = v;
			it->enemy[it->n_enemy++] = s;
		}
	}
	PQclear(r);
	/* The meta record when every item belongs to one exam with a stored title. */
	const char *exam = set->n_items ? set->items[0].exam : NULL;
	for (size_t i = 1; i < set->n_items && exam; i++)
		if (strcmp(set->items[i].exam, exam) != 0)
			exam = NULL;
	if (exam) {
		const char *pe[] = { exam };
		rc = rs_db_exec(&r, db, "ib_exp_exam", "SELECT title FROM bank.exams WHERE code = $1 AND title IS NOT NULL", 1, pe);
		if (rc)
			return rc;
		if (PQntuples(r) == 1) {
			set->has_meta = 1;
			set->meta_exam = strdup(exam);
			set->meta_title = strdup(PQgetvalue(r, 0, 0));
		}
		PQclear(r);
		if (set->has_meta && (!set->meta_exam || !set->meta_title)) {
			rs_error_set("out of memory");
			return RS_ENOMEM;
		}
	}
	json_t *ids = json_array();
	for (size_t i = 0; i < set->n_items; i++)
		json_array_append_new(ids, json_string(set->items[i].id));
	json_t *d = json_pack("{s:s?,s:I,s:o}", "status", c->status, "count", (json_int_t)set->n_items, "items", ids);
	rc = rs_audit(db, c->actor, c->role, "bank.items.export", "bank", d, c->request_id);
	json_decref(d);
	return rc;
}

int ib_store_export(struct ib_itemset **out, rs_db *db, const char *actor, const char *role, const char *status,
                    const char *request_id)
{
	int rc = ib_st_check_reader(actor, role);
	if (rc)
		return rc;
	if (status && ib_items_status_ok(status)) {
		rs_error_set("unknown status \"%s\" (draft, review, pretest, operational or retired)", status);
		return RS_EINVAL;
	}
	struct ib_exp c = { .actor = actor, .role = role, .status = status, .request_id = request_id };
	rc = rs_db_tx(db, RS_DB_REPEATABLE_READ, 3, ib_exp_tx, &c);
	if (rc) {
		ib_itemset_free(c.set);
		return rc;
	}
	*out = c.set;
	return 0;
}

struct ib_get {
	const char *actor, *role, *id, *request_id;
	struct ib_item *item;
};

static int ib_get_tx(rs_db *db, void *arg)
{
	struct ib_get *c = arg;
	PGresult *r = NULL;
	if (c->item) {
		ib_item_clear(c->item);
		free(c->item);
		c->item = NULL;
	}
	const char *p[] = { c->id };
	int rc = rs_db_exec(&r, db, "ib_get_item", "SELECT " IB_ITEM_COLS "WHERE i.id = $1", 1, p);
	if (rc)
		return rc;
	if (PQntuples(r) == 0) {
		PQclear(r);
		rs_error_set("no item \"%s\" in the bank", c->id);
		return RS_ENOTFOUND;
	}
	c->item = calloc(1, sizeof *c->item);
	rc = c->item ? ib_st_row_item(c->item, r, 0) : RS_ENOMEM;
	PQclear(r);
	if (rc)
		return rc;
	rc = rs_db_exec(&r, db, "ib_get_enemies",
	                "SELECT e FROM (SELECT CASE WHEN item_a = $1 THEN item_b ELSE item_a END AS e FROM bank.enemies "
	                "WHERE item_a = $1 OR item_b = $1) x ORDER BY e COLLATE \"C\"", 1, p);
	if (rc)
		return rc;
	int n = PQntuples(r);
	c->item->enemy = n ? calloc((size_t)n, sizeof *c->item->enemy) : NULL;
	for (int i = 0; i < n && c->item->enemy; i++)
		if ((c->item->enemy[c->item->n_enemy] = strdup(PQgetvalue(r, i, 0))) != NULL)
			c->item->n_enemy++;
	PQclear(r);
	char obj[80];
	snprintf(obj, sizeof obj, "item:%s", c->id);
	return rs_audit(db, c->actor, c->role, "bank.item.read", obj, NULL, c->request_id);
}

int ib_store_item_get(struct ib_item **out, rs_db *db, const char *actor, const char *role, const char *id,
                      const char *request_id)
{
	int rc = ib_st_check_reader(actor, role);
	if (rc)
		return rc;
	struct ib_get c = { .actor = actor, .role = role, .id = id, .request_id = request_id };
	rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, ib_get_tx, &c);
	if (rc) {
		if (c.item) {
			ib_item_clear(c.item);
			free(c.item);
		}
		return rc;
	}
	*out = c.item;
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Lifecycle                                                                           */

struct ib_tr {
	const char *actor, *role, *id, *to, *note, *request_id;
};

static int ib_tr_tx(rs_db *db, void *arg)
{
	struct ib_tr *c = arg;
	PGresult *r = NULL;
	const char *p[] = { c->id };
	int rc = rs_db_exec(&r, db, "ib_tr_get",
	                    "SELECT i.status, EXISTS (SELECT 1 FROM bank.item_params p WHERE p.item_id = i.id AND p.active) "
	                    "FROM bank.items i WHERE i.id = $1 FOR UPDATE", 1, p);
	if (rc)
		return rc;
	if (PQntuples(r) == 0) {
		PQclear(r);
		rs_error_set("no item \"%s\" in the bank", c->id);
		return RS_ENOTFOUND;
	}
	char from[16];
	snprintf(from, sizeof from, "%s", PQgetvalue(r, 0, 0));
	int has_params = PQgetvalue(r, 0, 1)[0] == 't';
	PQclear(r);
	const char *ps[] = { from, c->to };
	if ((rc = rs_db_exec(&r, db, "ib_tr_step",
	                     "SELECT 1 FROM bank.lifecycle_steps WHERE from_status = $1 AND to_status = $2", 2, ps)) != 0)
		return rc;
	int legal = PQntuples(r) > 0;
	PQclear(r);
	if (!legal) {
		rs_error_set("item %s: illegal lifecycle step %s -> %s", c->id, from, c->to);
		return RS_ESTATE;
	}
	if (strcmp(c->to, "operational") == 0 && !has_params) {
		rs_error_set("item %s: cannot become operational without active parameters (calibrate it first)", c->id);
		return RS_ESTATE;
	}
	const char *pt[] = { c->id, from, c->to, c->actor, c->note ? c->note : "" };
	if ((rc = rs_db_exec(NULL, db, "ib_tr_ins",
	                     "INSERT INTO bank.transitions (item_id, from_status, to_status, actor, note) "
	                     "VALUES ($1, $2, $3, $4, $5)", 5, pt)) != 0)
		return rc;
	const char *pu[] = { c->id, c->to };
	if ((rc = rs_db_exec(NULL, db, "ib_tr_upd", "UPDATE bank.items SET status = $2, updated_at = now() WHERE id = $1",
	                     2, pu)) != 0) {
		if (rc == RS_EINVAL)
			rc = RS_ESTATE; /* e.g. pretest without a reviewer: the schema refuses */
		return rc;
	}
	char obj[80];
	snprintf(obj, sizeof obj, "item:%s", c->id);
	json_t *d = json_pack("{s:s,s:s}", "from", from, "to", c->to);
	rc = rs_audit(db, c->actor, c->role, "bank.item.transition", obj, d, c->request_id);
	json_decref(d);
	return rc;
}

int ib_store_transition(rs_db *db, const char *actor, const char *role, const char *id, const char *to_status,
                        const char *note, const char *request_id)
{
	int rc = ib_st_check_reader(actor, role);
	if (rc)
		return rc;
	if (!to_status || ib_items_status_ok(to_status)) {
		rs_error_set("unknown status \"%s\"", to_status ? to_status : "");
		return RS_EINVAL;
	}
	struct ib_tr c = { actor, role, id, to_status, note, request_id };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 3, ib_tr_tx, &c);
}

int ib_store_history(struct ib_store_step **out, size_t *out_n, rs_db *db, const char *id)
{
	PGresult *r = NULL;
	const char *p[] = { id };
	int rc = rs_db_exec(&r, db, "ib_hist",
	                    "SELECT coalesce(from_status, ''), to_status, actor, "
	                    "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') "
	                    "FROM bank.transitions WHERE item_id = $1 ORDER BY at, id", 1, p);
	if (rc)
		return rc;
	size_t n = (size_t)PQntuples(r);
	struct ib_store_step *v = calloc(n + 1, sizeof *v);
	if (!v) {
		PQclear(r);
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		snprintf(v[i].from, sizeof v[i].from, "%s", PQgetvalue(r, (int)i, 0));
		snprintf(v[i].to, sizeof v[i].to, "%s", PQgetvalue(r, (int)i, 1));
		snprintf(v[i].actor, sizeof v[i].actor, "%s", PQgetvalue(r, (int)i, 2));
		snprintf(v[i].at, sizeof v[i].at, "%s", PQgetvalue(r, (int)i, 3));
	}
	PQclear(r);
	*out = v;
	*out_n = n;
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Publishing, exposure, responses, calibration runs                                   */

static size_t ib_uf_find(size_t *parent, size_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

static long ib_pub_find(const struct ib_pub_item *v, size_t n, const char *id)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(v[mid].id, id);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int ib_store_publishable(struct ib_pub_item **out, size_t *out_n, rs_db *db, const char *exam)
{
	PGresult *r = NULL;
	const char *p[] = { exam };
	struct ib_pub_item *v = NULL;
	size_t *parent = NULL, *group = NULL;
	int rc = rs_db_exec(&r, db, "ib_pub_items",
	                    "SELECT i.id, i.domain, i.part, i.status, p.model, p.a, p.b, p.c FROM bank.items i "
	                    "LEFT JOIN bank.item_params p ON p.item_id = i.id AND p.active "
	                    "WHERE i.exam = $1 AND i.status IN ('operational', 'pretest') ORDER BY i.id COLLATE \"C\"",
	                    1, p);
	if (rc)
		return rc;
	size_t n = (size_t)PQntuples(r);
	v = calloc(n + 1, sizeof *v);
	parent = calloc(n + 1, sizeof *parent);
	group = calloc(n + 1, sizeof *group);
	if (!v || !parent || !group) {
		rc = RS_ENOMEM;
		rs_error_set("out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		int row = (int)i;
		snprintf(v[i].id, sizeof v[i].id, "%s", PQgetvalue(r, row, 0));
		snprintf(v[i].domain, sizeof v[i].domain, "%s", PQgetvalue(r, row, 1));
		snprintf(v[i].part, sizeof v[i].part, "%s", PQgetvalue(r, row, 2));
		snprintf(v[i].status, sizeof v[i].status, "%s", PQgetvalue(r, row, 3));
		if (!PQgetisnull(r, row, 4)) {
			v[i].has_params = 1;
			snprintf(v[i].params.model, sizeof v[i].params.model, "%s", PQgetvalue(r, row, 4));
			v[i].params.a = strtod(PQgetvalue(r, row, 5), NULL);
			v[i].params.b = strtod(PQgetvalue(r, row, 6), NULL);
			v[i].params.c = strtod(PQgetvalue(r, row, 7), NULL);
		}
		parent[i] = i;
	}
	PQclear(r);
	r = NULL;
	rc = rs_db_exec(&r, db, "ib_pub_enemies", "SELECT item_a, item_b FROM bank.enemies", 0, NULL);
	if (rc)
		goto done;
	for (int row = 0; row < PQntuples(r); row++) {
		long x = ib_pub_find(v, n, PQgetvalue(r, row, 0)), y = ib_pub_find(v, n, PQgetvalue(r, row, 1));
		if (x < 0 || y < 0)
			continue;
		size_t rx = ib_uf_find(parent, (size_t)x), ry = ib_uf_find(parent, (size_t)y);
		if (rx != ry)
			parent[rx > ry ? rx : ry] = rx < ry ? rx : ry; /* the root is the smallest id */
	}
	/* Name the groups of two or more in order of their smallest id: E00001, E00002, ... */
	for (size_t i = 0; i < n; i++)
		group[ib_uf_find(parent, i)]++;
	size_t next = 0;
	for (size_t i = 0; i < n; i++) {
		size_t root = ib_uf_find(parent, i);
		if (group[root] < 2)
			continue;
		if (root == i) {
			next++;
			snprintf(v[i].enemy_set, sizeof v[i].enemy_set, "E%05zu", next);
		} else {
			snprintf(v[i].enemy_set, sizeof v[i].enemy_set, "%s", v[root].enemy_set);
		}
	}
	*out = v;
	*out_n = n;
	v = NULL;
done:
	rs_db_clear(r);
	free(v);
	free(parent);
	free(group);
	return rc;
}

int ib_store_exposure_add(rs_db *db, const char *id, long long n)
{
	char num[32];
	snprintf(num, sizeof num, "%lld", n);
	const char *p[] = { id, num };
	PGresult *r = NULL;
	int rc = rs_db_exec(&r, db, "ib_expo_add",
	                    "UPDATE bank.items SET exposure_count = exposure_count + $2 WHERE id = $1 RETURNING 1", 2, p);
	if (rc)
		return rc;
	int found = PQntuples(r) > 0;
	PQclear(r);
	if (!found) {
		rs_error_set("no item \"%s\" in the bank", id);
		return RS_ENOTFOUND;
	}
	return 0;
}

int ib_store_response_add(rs_db *db, const char *person, const char *id, int score)
{
	const char *p[] = { person, id, score ? "1" : "0" };
	int rc = rs_db_exec(NULL, db, "ib_resp_add", "INSERT INTO bank.responses (person, item_id, score) VALUES ($1, $2, $3)",
	                    3, p);
	if (rc == RS_EEXIST)
		rs_error_set("person \"%s\" already answered item \"%s\"", person, id);
	return rc;
}

int ib_store_responses_load(struct ib_data **out, rs_db *db, const char *exam)
{
	PGresult *r = NULL;
	const char *p[] = { exam };
	int rc = rs_db_exec(&r, db, "ib_resp_load",
	                    "SELECT r.person, r.item_id, r.score FROM bank.responses r JOIN bank.items i ON i.id = r.item_id "
	                    "WHERE $1::text IS NULL OR i.exam = $1 ORDER BY r.person COLLATE \"C\", r.item_id COLLATE \"C\"",
	                    1, p);
	if (rc)
		return rc;
	int n = PQntuples(r);
	if (n == 0) {
		PQclear(r);
		rs_error_set("no stored responses%s%s", exam ? " for exam " : "", exam ? exam : "");
		return RS_EINVAL;
	}
	size_t cap = 64, len = 0;
	for (int i = 0; i < n; i++)
		cap += (size_t)PQgetlength(r, i, 0) + (size_t)PQgetlength(r, i, 1) + 4;
	char *buf = malloc(cap);
	if (!buf) {
		PQclear(r);
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	for (int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s\t%s\t%s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
		                        PQgetvalue(r, i, 2));
	PQclear(r);
	rc = ib_data_read_long(out, buf, len, NULL);
	free(buf);
	return rc;
}

struct ib_cal {
	const char *actor;
	const struct ib_calib_result *res;
	char *const *ids;
	size_t n_persons;
	int activate;
	long long run_id;
};

static int ib_cal_tx(rs_db *db, void *arg)
{
	struct ib_cal *c = arg;
	const struct ib_calib_result *res = c->res;
	PGresult *r = NULL;
	char ll[32], it[16], np[32];
	ib_st_fmt_double(ll, sizeof ll, res->loglik);
	snprintf(it, sizeof it, "%d", res->iterations);
	snprintf(np, sizeof np, "%zu", c->n_persons);
	json_t *hist = json_array();
	for (int i = 0; i < res->n_hist; i++)
		json_array_append_new(hist, json_pack("{s:f,s:f}", "loglik", isfinite(res->hist_loglik[i]) ? res->hist_loglik[i] : 0.0,
		                                      "change", isfinite(res->hist_change[i]) ? res->hist_change[i] : 0.0));
	json_t *d = json_pack("{s:f,s:f,s:f,s:I,s:o}", "latent_mean", res->latent_mean, "latent_sd", res->latent_sd,
	                      "seconds", res->seconds, "n_fixed", (json_int_t)res->n_fixed, "history", hist);
	char *ds = d ? json_dumps(d, JSON_COMPACT) : NULL;
	json_decref(d);
	const char *p[] = { ib_model_name(res->model), ll[0] ? ll : NULL, it, res->converged ? "t" : "f", np,
	                    ds ? ds : "{}", c->actor };
	int rc = rs_db_exec(&r, db, "ib_cal_run",
	                    "INSERT INTO bank.calibration_runs (source, model, loglik, iterations, converged, n_persons, "
	                    "detail, actor) VALUES ('calibration', $1, $2, $3, $4, $5, $6::jsonb, $7) RETURNING id", 7, p);
	free(ds);
	if (rc)
		return rc;
	char run[32];
	snprintf(run, sizeof run, "%s", PQgetvalue(r, 0, 0));
	c->run_id = atoll(run);
	PQclear(r);
	for (size_t i = 0; i < res->n_items; i++) {
		const struct ib_item_par *q = &res->items[i];
		int act = c->activate && !q->fixed;
		const char *pid[] = { c->ids[i] };
		if (act && (rc = rs_db_exec(NULL, db, "ib_cal_off",
		                            "UPDATE bank.item_params SET active = false WHERE item_id = $1 AND active", 1, pid)) != 0)
			return rc;
		char a[32], b[32], cc[32], sa[32], sb[32], sc[32], cab[32];
		ib_st_fmt_double(a, sizeof a, q->a);
		ib_st_fmt_double(b, sizeof b, q->b);
		ib_st_fmt_double(cc, sizeof cc, res->model == IB_3PL ? q->c : 0.0);
		ib_st_fmt_double(sa, sizeof sa, q->se_a);
		ib_st_fmt_double(sb, sizeof sb, q->se_b);
		ib_st_fmt_double(sc, sizeof sc, q->se_c);
		ib_st_fmt_double(cab, sizeof cab, q->cov_ab);
		const char *pp[] = { run, c->ids[i], ib_model_name(res->model), a, b, cc, sa[0] ? sa : NULL, sb[0] ? sb : NULL,
		                     sc[0] ? sc : NULL, q->fixed ? "t" : "f", act ? "t" : "f", cab[0] ? cab : NULL };
		rc = rs_db_exec(NULL, db, "ib_cal_par",
		                "INSERT INTO bank.item_params (run_id, item_id, model, a, b, c, se_a, se_b, se_c, fixed, active, "
		                "cov_ab) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)", 12, pp);
		if (rc == RS_EINVAL)
			rs_error_set("item \"%s\": cannot store its estimates (not in the bank, or out of range): %s", c->ids[i],
			             rs_error_last());
		if (rc)
			return rc == RS_EINVAL ? RS_ENOTFOUND : rc;
	}
	return 0;
}

int ib_store_save_calibration(long long *out_run_id, rs_db *db, const char *actor, const struct ib_calib_result *res,
                              char *const *item_ids, size_t n_persons, int activate)
{
	struct ib_cal c = { actor, res, item_ids, n_persons, activate, 0 };
	int rc = rs_db_tx(db, RS_DB_READ_COMMITTED, 3, ib_cal_tx, &c);
	if (rc == 0 && out_run_id)
		*out_run_id = c.run_id;
	return rc;
}

int ib_store_active_params(struct ib_params **out, rs_db *db, const char *exam)
{
	PGresult *r = NULL;
	const char *p[] = { exam };
	int rc = rs_db_exec(&r, db, "ib_active_params",
	                    "SELECT p.item_id, p.a, p.b, p.c, p.se_a, p.se_b, p.se_c, p.cov_ab FROM bank.item_params p "
	                    "JOIN bank.items i ON i.id = p.item_id "
	                    "WHERE p.active AND ($1::text IS NULL OR i.exam = $1) ORDER BY p.item_id COLLATE \"C\"", 1, p);
	if (rc)
		return rc;
	size_t n = (size_t)PQntuples(r);
	struct ib_params *ps = calloc(1, sizeof *ps);
	if (ps) {
		ps->ids = calloc(n + 1, sizeof *ps->ids);
		ps->par = calloc(n + 1, sizeof *ps->par);
	}
	if (!ps || !ps->ids || !ps->par) {
		PQclear(r);
		ib_params_free(ps);
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	ps->model = IB_3PL;
	ps->loglik = NAN;
	for (size_t i = 0; i < n; i++) {
		ps->ids[i] = strdup(PQgetvalue(r, (int)i, 0));
		ps->n = i + 1;
		if (!ps->ids[i]) {
			PQclear(r);
			ib_params_free(ps);
			rs_error_set("out of memory");
			return RS_ENOMEM;
		}
		struct ib_item_par *q = &ps->par[i];
		q->a = strtod(PQgetvalue(r, (int)i, 1), NULL);
		q->b = strtod(PQgetvalue(r, (int)i, 2), NULL);
		q->c = strtod(PQgetvalue(r, (int)i, 3), NULL);
		q->d = -q->a * q->b;
		/* the stored standard errors and a-b covariance (NaN where the run gave none) */
		double *se[] = { &q->se_a, &q->se_b, &q->se_c, &q->cov_ab };
		for (int k = 0; k < 4; k++)
			*se[k] = PQgetisnull(r, (int)i, 4 + k) ? NAN : strtod(PQgetvalue(r, (int)i, 4 + k), NULL);
		q->fixed = 1;
	}
	PQclear(r);
	*out = ps;
	return 0;
}
