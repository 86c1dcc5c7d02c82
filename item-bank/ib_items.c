/* item-bank: reader/validator and canonical writer of the JSON Lines item format
 * (docs/item-format.md). The reader checks every line and keeps one diagnostic per bad
 * line; cross-line rules (duplicate ids, scenario references, enemies) are checked too. */
#include "ib_items.h"

#include "cat.h"

#include "rs_error.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------------------- */
/* Model helpers                                                                       */

static void ib_text_clear(struct ib_text *t)
{
	free(t->ja);
	free(t->en);
	t->ja = t->en = NULL;
}

void ib_item_clear(struct ib_item *it)
{
	if (!it)
		return;
	free(it->id);
	free(it->exam);
	free(it->status);
	free(it->type);
	free(it->domain);
	free(it->scenario);
	for (size_t i = 0; i < it->n_enemy; i++)
		free(it->enemy[i]);
	free(it->enemy);
	ib_text_clear(&it->stem);
	for (int i = 0; i < 4; i++)
		ib_text_clear(&it->options[i]);
	ib_text_clear(&it->rationale);
	free(it->author);
	free(it->reviewer);
	memset(it, 0, sizeof *it);
}

void ib_scenario_clear(struct ib_scenario *sc)
{
	if (!sc)
		return;
	free(sc->id);
	free(sc->exam);
	ib_text_clear(&sc->title);
	ib_text_clear(&sc->passage);
	free(sc->author);
	free(sc->reviewer);
	memset(sc, 0, sizeof *sc);
}

int ib_itemset_new(struct ib_itemset **out)
{
	struct ib_itemset *s = calloc(1, sizeof *s);
	if (!s) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	*out = s;
	return 0;
}

/* The array arr of n elements of size elem, grown (doubling from first) so one more fits
 * within *cap; NULL when memory runs out (arr is then unchanged and still owned by the caller). */
static void *ib_grow(void *arr, size_t n, size_t *cap, size_t elem, size_t first)
{
	if (n < *cap)
		return arr;
	size_t ncap = *cap ? *cap * 2 : first;
	void *v = realloc(arr, ncap * elem);
	if (v)
		*cap = ncap;
	return v;
}

struct ib_item *ib_itemset_add_item(struct ib_itemset *set)
{
	struct ib_item *v = ib_grow(set->items, set->n_items, &set->cap_items, sizeof *v, 64);
	if (!v)
		return NULL;
	set->items = v;
	memset(&v[set->n_items], 0, sizeof *v);
	return &v[set->n_items++];
}

struct ib_scenario *ib_itemset_add_scenario(struct ib_itemset *set)
{
	struct ib_scenario *v = ib_grow(set->scenarios, set->n_scenarios, &set->cap_scenarios, sizeof *v, 16);
	if (!v)
		return NULL;
	set->scenarios = v;
	memset(&v[set->n_scenarios], 0, sizeof *v);
	return &v[set->n_scenarios++];
}

void ib_itemset_free(struct ib_itemset *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n_items; i++)
		ib_item_clear(&set->items[i]);
	for (size_t i = 0; i < set->n_scenarios; i++)
		ib_scenario_clear(&set->scenarios[i]);
	free(set->items);
	free(set->scenarios);
	free(set->meta_exam);
	free(set->meta_title);
	free(set);
}

long ib_itemset_find_item(const struct ib_itemset *set, const char *id)
{
	for (size_t i = 0; i < set->n_items; i++)
		if (strcmp(set->items[i].id, id) == 0)
			return (long)i;
	return -1;
}

long ib_itemset_find_scenario(const struct ib_itemset *set, const char *id)
{
	for (size_t i = 0; i < set->n_scenarios; i++)
		if (strcmp(set->scenarios[i].id, id) == 0)
			return (long)i;
	return -1;
}

static const char *const ib_statuses[] = { "draft", "review", "pretest", "operational", "retired" };

static int ib_in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

int ib_items_status_ok(const char *s)
{
	return ib_in_list(s, ib_statuses, sizeof ib_statuses / sizeof ib_statuses[0]) ? 0 : RS_EINVAL;
}

int ib_items_domain_ok(const char *s)
{
	return cat_sg_item_code_ok(s) ? 0 : RS_EINVAL;
}

static int ib_text_eq(const struct ib_text *x, const struct ib_text *y)
{
	return strcmp(x->ja, y->ja) == 0 && strcmp(x->en, y->en) == 0;
}

int ib_item_same_content(const struct ib_item *x, const struct ib_item *y)
{
	if (!ib_text_eq(&x->stem, &y->stem) || x->key != y->key)
		return 0;
	for (int i = 0; i < 4; i++)
		if (!ib_text_eq(&x->options[i], &y->options[i]))
			return 0;
	if ((x->scenario == NULL) != (y->scenario == NULL))
		return 0;
	return !x->scenario || strcmp(x->scenario, y->scenario) == 0;
}

/* ---------------------------------------------------------------------------------- */
/* Diagnostics                                                                         */

static int ib_diag_add(struct ib_diags *d, int line, int warning, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

int ib_diags_vadd(struct ib_diags *d, int line, int warning, const char *fmt, va_list ap)
{
	if (warning)
		d->n_warnings++;
	else
		d->n_errors++;
	if (d->n >= IB_ITEMS_MAX_DIAGS) {
		d->dropped++;
		return 0;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct ib_diag *v = realloc(d->v, cap * sizeof *v);
		if (!v)
			return RS_ENOMEM;
		d->v = v;
		d->cap = cap;
	}
	char buf[600];
	vsnprintf(buf, sizeof buf, fmt, ap);
	char *m = strdup(buf);
	if (!m)
		return RS_ENOMEM;
	d->v[d->n++] = (struct ib_diag){ .line = line, .warning = warning, .msg = m };
	return 0;
}

static int ib_diag_add(struct ib_diags *d, int line, int warning, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = ib_diags_vadd(d, line, warning, fmt, ap);
	va_end(ap);
	return rc;
}

void ib_diags_free(struct ib_diags *diags)
{
	if (!diags)
		return;
	for (size_t i = 0; i < diags->n; i++)
		free(diags->v[i].msg);
	free(diags->v);
	memset(diags, 0, sizeof *diags);
}

void ib_diags_print(const struct ib_diags *diags, const char *file, FILE *f)
{
	for (size_t i = 0; i < diags->n; i++) {
		const struct ib_diag *d = &diags->v[i];
		if (d->line > 0)
			fprintf(f, "%s:%d: %s%s\n", file, d->line, d->warning ? "warning: " : "", d->msg);
		else
			fprintf(f, "%s: %s%s\n", file, d->warning ? "warning: " : "", d->msg);
	}
	if (diags->dropped)
		fprintf(f, "%s: %zu more problem(s) not shown\n", file, diags->dropped);
}

/* ---------------------------------------------------------------------------------- */
/* Id map: open addressing, string -> (line, kind), for duplicate and reference checks. */

struct ib_idmap_ent {
	char *key;                 /* borrowed from the set, owned for kind 'x' */
	int line;
	int kind;                  /* 'i' item, 's' scenario, 'x' id of a bad line */
	long index;                /* index in the set, -1 for bad lines */
	int used;                  /* scenario: referenced by an item */
};

struct ib_idmap {
	struct ib_idmap_ent *v;
	size_t cap, n;
};

static uint64_t ib_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct ib_idmap_ent *ib_idmap_get(const struct ib_idmap *m, const char *key)
{
	if (!m->cap)
		return NULL;
	for (size_t i = ib_hash(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->v[i].key)
			return NULL;
		if (strcmp(m->v[i].key, key) == 0)
			return &m->v[i];
	}
}

static int ib_idmap_put(struct ib_idmap *m, char *key, int line, int kind, long index)
{
	if ((m->n + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct ib_idmap_ent *v = calloc(cap, sizeof *v);
		if (!v)
			return RS_ENOMEM;
		for (size_t i = 0; i < m->cap; i++) {
			if (!m->v[i].key)
				continue;
			size_t j = ib_hash(m->v[i].key) & (cap - 1);
			while (v[j].key)
				j = (j + 1) & (cap - 1);
			v[j] = m->v[i];
		}
		free(m->v);
		m->v = v;
		m->cap = cap;
	}
	size_t j = ib_hash(key) & (m->cap - 1);
	while (m->v[j].key)
		j = (j + 1) & (m->cap - 1);
	m->v[j] = (struct ib_idmap_ent){ .key = key, .line = line, .kind = kind, .index = index };
	m->n++;
	return 0;
}

/* ---------------------------------------------------------------------------------- */
/* Line validation                                                                     */

struct ib_lctx {
	char err[560];             /* first problem of the line, "" while none */
};

static void ib_bad(struct ib_lctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ib_bad(struct ib_lctx *c, const char *fmt, ...)
{
	if (c->err[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
}

/* Quote a user string for a message: at most 40 bytes, cut at a UTF-8 boundary. */
static const char *ib_q(char *buf, size_t cap, const char *s)
{
	size_t n = strlen(s), max = cap > 48 ? 40 : cap - 8;
	if (n <= max) {
		snprintf(buf, cap, "\"%s\"", s);
		return buf;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	snprintf(buf, cap, "\"%.*s...\"", (int)max, s);
	return buf;
}

static int ib_id_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		int alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
		if (!alnum && (i == 0 || (ch != '.' && ch != '_' && ch != '-')))
			return 0;
	}
	return 1;
}

static int ib_exam_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 16)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
			return 0;
	}
	return 1;
}

/* Leading or trailing white space (ASCII or the ideographic space U+3000). */
static int ib_ws_edges(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	unsigned char f = (unsigned char)s[0], l = (unsigned char)s[n - 1];
	if (f == ' ' || f == '\t' || f == '\n' || f == '\r' || l == ' ' || l == '\t' || l == '\n' || l == '\r')
		return 1;
	if (n >= 3 && memcmp(s, "\xE3\x80\x80", 3) == 0)
		return 1;
	if (n >= 3 && memcmp(s + n - 3, "\xE3\x80\x80", 3) == 0)
		return 1;
	return 0;
}

/* Check the members of obj against the allowed names; report the first unknown. */
static void ib_check_members(struct ib_lctx *c, json_t *obj, const char *where, const char *const *allowed, size_t n)
{
	const char *k;
	json_t *v;
	char q[64];
	json_object_foreach(obj, k, v) {
		if (!ib_in_list(k, allowed, n)) {
			if (where)
				ib_bad(c, "%s: unknown member %s", where, ib_q(q, sizeof q, k));
			else
				ib_bad(c, "%s: unknown member", ib_q(q, sizeof q, k));
			return;
		}
	}
}

/* A required (or optional) string member; NULL when absent or bad (problem recorded). */
static const char *ib_get_str(struct ib_lctx *c, json_t *obj, const char *name, int required, int nullable)
{
	json_t *v = json_object_get(obj, name);
	if (!v || (nullable && json_is_null(v))) {
		if (required)
			ib_bad(c, "%s: missing", name);
		return NULL;
	}
	if (!json_is_string(v)) {
		ib_bad(c, "%s: must be a string%s", name, nullable ? " or null" : "");
		return NULL;
	}
	return json_string_value(v);
}

static long long ib_get_int(struct ib_lctx *c, json_t *obj, const char *name, long long lo, long long hi)
{
	json_t *v = json_object_get(obj, name);
	if (!v) {
		ib_bad(c, "%s: missing", name);
		return lo;
	}
	if (!json_is_integer(v)) {
		ib_bad(c, "%s: must be a whole number", name);
		return lo;
	}
	long long x = json_integer_value(v);
	if (x < lo || x > hi) {
		ib_bad(c, "%s: %lld is outside %lld..%lld", name, x, lo, hi);
		return lo;
	}
	return x;
}

static char *ib_dup(struct ib_lctx *c, const char *s)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		ib_bad(c, "out of memory");
	return d;
}

/* A staff user name: 1-64 bytes, no control characters, no white space at the edges. */
static void ib_check_user(struct ib_lctx *c, const char *name, const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 64) {
		ib_bad(c, "%s: must be 1-64 bytes", name);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			ib_bad(c, "%s: holds a control character", name);
			return;
		}
	if (ib_ws_edges(s, n))
		ib_bad(c, "%s: has white space at the start or end", name);
}

/* A bilingual text member {"ja", "en"}; single_line forbids '\n'. */
static void ib_get_text(struct ib_lctx *c, json_t *obj, const char *name, size_t max, int single_line,
                        struct ib_text *out)
{
	static const char *const langs[] = { "ja", "en" };
	json_t *t = json_object_get(obj, name);
	if (!t) {
		ib_bad(c, "%s: missing", name);
		return;
	}
	if (!json_is_object(t)) {
		ib_bad(c, "%s: must be an object {\"ja\": ..., \"en\": ...}", name);
		return;
	}
	ib_check_members(c, t, name, langs, 2);
	for (int l = 0; l < 2; l++) {
		json_t *v = json_object_get(t, langs[l]);
		if (!v) {
			ib_bad(c, "%s.%s: missing", name, langs[l]);
			return;
		}
		if (!json_is_string(v)) {
			ib_bad(c, "%s.%s: must be a string", name, langs[l]);
			return;
		}
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (n == 0) {
			ib_bad(c, "%s.%s: is empty", name, langs[l]);
			return;
		}
		if (n > max) {
			ib_bad(c, "%s.%s: %zu bytes, over the %zu-byte bound", name, langs[l], n, max);
			return;
		}
		if (ib_ws_edges(s, n)) {
			ib_bad(c, "%s.%s: has white space at the start or end", name, langs[l]);
			return;
		}
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)s[i];
			if (ch == '\n' && single_line) {
				ib_bad(c, "%s.%s: must be one line (holds \\n)", name, langs[l]);
				return;
			}
			if ((ch < 0x20 && ch != '\n') || ch == 0x7f) {
				ib_bad(c, "%s.%s: holds control character 0x%02x", name, langs[l], ch);
				return;
			}
		}
		char *d = ib_dup(c, s);
		if (l == 0)
			out->ja = d;
		else
			out->en = d;
	}
}

static void ib_get_params(struct ib_lctx *c, json_t *obj, struct ib_item *it, struct ib_diags *diags, int line)
{
	static const char *const members[] = { "model", "a", "b", "c" };
	json_t *p = json_object_get(obj, "params");
	if (!p || json_is_null(p))
		return;
	if (!json_is_object(p)) {
		ib_bad(c, "params: must be an object or null");
		return;
	}
	ib_check_members(c, p, "params", members, 4);
	const char *model = ib_get_str(c, p, "model", 0, 0);
	if (!model) {
		ib_bad(c, "params.model: missing");
		return;
	}
	const struct cat_model_word *mw = cat_model_lookup(model);
	if (!mw || mw->model == CAT_GPCM) {
		char q[64];
		ib_bad(c, "params.model: %s is not rasch, 1pl, 2pl or 3pl", ib_q(q, sizeof q, model));
		return;
	}
	double v[3];
	for (int i = 0; i < 3; i++) {
		json_t *x = json_object_get(p, members[i + 1]);
		if (!x) {
			ib_bad(c, "params.%s: missing", members[i + 1]);
			return;
		}
		if (!json_is_number(x) || !isfinite(json_number_value(x))) {
			ib_bad(c, "params.%s: must be a number", members[i + 1]);
			return;
		}
		v[i] = json_number_value(x);
	}
	if (!(v[0] > 0 && v[0] <= 4)) {
		ib_bad(c, "params.a: %g is outside 0 < a <= 4", v[0]);
		return;
	}
	if (mw->rasch && v[0] != 1.0) {
		ib_bad(c, "params.a: must be 1.0 for the rasch model (got %g)", v[0]);
		return;
	}
	if (!(v[1] >= -6 && v[1] <= 6)) {
		ib_bad(c, "params.b: %g is outside -6 <= b <= 6", v[1]);
		return;
	}
	if (!(v[2] >= 0 && v[2] < 0.5)) {
		ib_bad(c, "params.c: %g is outside 0 <= c < 0.5", v[2]);
		return;
	}
	if (strcmp(model, "3pl") != 0 && v[2] != 0.0) {
		ib_bad(c, "params.c: must be 0.0 unless the model is 3pl (got %g)", v[2]);
		return;
	}
	if (c->err[0])
		return;
	it->has_params = 1;
	snprintf(it->params.model, sizeof it->params.model, "%s", model);
	it->params.a = v[0];
	it->params.b = v[1];
	it->params.c = v[2];
	if (v[0] < 0.4 || v[0] > 2.5)
		ib_diag_add(diags, line, 1, "params.a: %g is unusual for a 4-option item (0.4..2.5)", v[0]);
	if (fabs(v[1]) > 3)
		ib_diag_add(diags, line, 1, "params.b: %g is unusual (|b| > 3)", v[1]);
	if (v[2] > 0.35)
		ib_diag_add(diags, line, 1, "params.c: %g is unusual for a 4-option item (> 0.35)", v[2]);
}

/* The whole reader's state. */
struct ib_reader {
	struct ib_itemset *set;
	struct ib_diags *diags;
	struct ib_idmap ids;
	int flags;
	int n_records;             /* good item/scenario lines */
};

static void ib_parse_meta(struct ib_reader *r, struct ib_lctx *c, json_t *o, int line)
{
	static const char *const members[] = { "record", "format", "format_version", "exam", "title" };
	if (line != 1) {
		ib_bad(c, "record: a meta record may only be line 1");
		return;
	}
	ib_check_members(c, o, NULL, members, 5);
	const char *fmt = ib_get_str(c, o, "format", 1, 0);
	if (fmt && strcmp(fmt, "riss-items") != 0)
		ib_bad(c, "format: must be \"riss-items\"");
	json_t *fv = json_object_get(o, "format_version");
	if (!fv)
		ib_bad(c, "format_version: missing");
	else if (!json_is_integer(fv))
		ib_bad(c, "format_version: must be a whole number");
	else if (json_integer_value(fv) > 1)
		ib_bad(c, "format_version: %lld is newer than this reader (1)", (long long)json_integer_value(fv));
	else if (json_integer_value(fv) < 1)
		ib_bad(c, "format_version: must be 1");
	const char *exam = ib_get_str(c, o, "exam", 1, 0);
	if (exam && !ib_exam_ok(exam))
		ib_bad(c, "exam: must be 1-16 letters or digits");
	const char *title = ib_get_str(c, o, "title", 0, 0);
	if (title && strlen(title) > 200)
		ib_bad(c, "title: over 200 bytes");
	if (c->err[0])
		return;
	r->set->has_meta = 1;
	r->set->meta_exam = ib_dup(c, exam);
	r->set->meta_title = ib_dup(c, title);
}

/* Common: id (unique), version, exam (equal to meta). Returns the id or NULL. */
static const char *ib_parse_head(struct ib_reader *r, struct ib_lctx *c, json_t *o, int line, int *version,
                                 const char **exam)
{
	char q[64];
	const char *id = ib_get_str(c, o, "id", 1, 0);
	if (!id)
		return NULL;
	if (!ib_id_ok(id)) {
		ib_bad(c, "id: %s is not 1-64 bytes of [A-Za-z0-9._-] starting with a letter or digit", ib_q(q, sizeof q, id));
		return NULL;
	}
	struct ib_idmap_ent *e = ib_idmap_get(&r->ids, id);
	if (e) {
		ib_bad(c, "id: duplicate id %s (first on line %d)", ib_q(q, sizeof q, id), e->line);
		return NULL;
	}
	*version = (int)ib_get_int(c, o, "version", 1, 1000000);
	*exam = ib_get_str(c, o, "exam", 1, 0);
	if (*exam && !ib_exam_ok(*exam))
		ib_bad(c, "exam: must be 1-16 letters or digits");
	else if (*exam && r->set->meta_exam && strcmp(*exam, r->set->meta_exam) != 0)
		ib_bad(c, "exam: %s differs from the file's exam \"%s\" (meta line)", ib_q(q, sizeof q, *exam), r->set->meta_exam);
	(void)line;
	return id;
}

static void ib_parse_scenario(struct ib_reader *r, struct ib_lctx *c, json_t *o, int line)
{
	static const char *const members[] = { "record", "id", "version", "exam", "title", "passage", "author", "reviewer" };
	struct ib_scenario sc;
	memset(&sc, 0, sizeof sc);
	ib_check_members(c, o, NULL, members, sizeof members / sizeof members[0]);
	int version = 1;
	const char *exam = NULL;
	const char *id = ib_parse_head(r, c, o, line, &version, &exam);
	ib_get_text(c, o, "title", 256, 1, &sc.title);
	ib_get_text(c, o, "passage", 16384, 0, &sc.passage);
	const char *author = ib_get_str(c, o, "author", 1, 0);
	if (author)
		ib_check_user(c, "author", author);
	const char *reviewer = ib_get_str(c, o, "reviewer", 0, 1);
	if (reviewer) {
		ib_check_user(c, "reviewer", reviewer);
		if (author && strcmp(author, reviewer) == 0)
			ib_bad(c, "reviewer: must differ from author (four-eyes rule)");
	}
	if (c->err[0] || !id) {
		ib_scenario_clear(&sc);
		return;
	}
	sc.id = ib_dup(c, id);
	sc.version = version;
	sc.exam = ib_dup(c, exam);
	sc.author = ib_dup(c, author);
	sc.reviewer = ib_dup(c, reviewer);
	sc.line = line;
	struct ib_scenario *dst = c->err[0] ? NULL : ib_itemset_add_scenario(r->set);
	if (!dst) {
		ib_bad(c, "out of memory");
		ib_scenario_clear(&sc);
		return;
	}
	*dst = sc;
	if (ib_idmap_put(&r->ids, dst->id, line, 's', (long)(r->set->n_scenarios - 1)))
		ib_bad(c, "out of memory");
	r->n_records++;
}

static void ib_parse_item(struct ib_reader *r, struct ib_lctx *c, json_t *o, int line)
{
	static const char *const members[] = { "record", "id", "version", "exam", "status", "type", "domain", "part",
	                                       "scenario", "enemy", "stem", "options", "key", "rationale", "author",
	                                       "reviewer", "params" };
	char q[64];
	struct ib_item it;
	memset(&it, 0, sizeof it);
	ib_check_members(c, o, NULL, members, sizeof members / sizeof members[0]);
	int version = 1;
	const char *exam = NULL;
	const char *id = ib_parse_head(r, c, o, line, &version, &exam);
	const char *status = ib_get_str(c, o, "status", 1, 0);
	if (status && ib_items_status_ok(status))
		ib_bad(c, "status: %s is not draft, review, pretest, operational or retired", ib_q(q, sizeof q, status));
	const char *type = ib_get_str(c, o, "type", 1, 0);
	if (type && strcmp(type, "single_choice") != 0)
		ib_bad(c, "type: %s is not \"single_choice\"", ib_q(q, sizeof q, type));
	const char *domain = ib_get_str(c, o, "domain", 1, 0);
	if (domain && ib_items_domain_ok(domain))
		ib_bad(c, "domain: unknown domain %s (basics, management, measures, law, technology, it_management, strategy)",
		       ib_q(q, sizeof q, domain));
	const char *part = ib_get_str(c, o, "part", 1, 0);
	if (part && !cat_sg_part_ok(part))
		ib_bad(c, "part: %s is not \"A\" or \"B\"", ib_q(q, sizeof q, part));
	const char *scen = ib_get_str(c, o, "scenario", 0, 1);
	if (part && !c->err[0]) {
		if (part[0] == 'B' && !scen) {
			ib_bad(c, "scenario: required for a part B item");
		} else if (part[0] == 'A' && scen) {
			ib_bad(c, "scenario: not allowed on a part A item");
		} else if (scen) {
			struct ib_idmap_ent *e = ib_idmap_get(&r->ids, scen);
			if (!e)
				ib_bad(c, "scenario: no scenario %s before this line", ib_q(q, sizeof q, scen));
			else if (e->kind == 'x')
				ib_bad(c, "scenario: scenario %s on line %d has errors", ib_q(q, sizeof q, scen), e->line);
			else if (e->kind != 's')
				ib_bad(c, "scenario: %s is an item (line %d), not a scenario", ib_q(q, sizeof q, scen), e->line);
			else if (exam && strcmp(r->set->scenarios[e->index].exam, exam) != 0)
				ib_bad(c, "scenario: scenario %s belongs to exam \"%s\"", ib_q(q, sizeof q, scen),
				       r->set->scenarios[e->index].exam);
		}
	}
	json_t *en = json_object_get(o, "enemy");
	if (en && !json_is_array(en)) {
		ib_bad(c, "enemy: must be an array of item ids");
	} else if (en) {
		size_t n = json_array_size(en);
		if (n > 1000) {
			ib_bad(c, "enemy: more than 1000 ids");
		} else if (n) {
			it.enemy = calloc(n, sizeof *it.enemy);
			if (!it.enemy)
				ib_bad(c, "out of memory");
		}
		for (size_t i = 0; i < n && !c->err[0]; i++) {
			json_t *x = json_array_get(en, i);
			const char *s = json_is_string(x) ? json_string_value(x) : NULL;
			if (!s || !ib_id_ok(s)) {
				ib_bad(c, "enemy: element %zu is not an item id", i);
				break;
			}
			if (id && strcmp(s, id) == 0) {
				ib_bad(c, "enemy: an item may not list itself");
				break;
			}
			for (size_t k = 0; k < i; k++)
				if (strcmp(it.enemy[k], s) == 0)
					ib_bad(c, "enemy: %s listed twice", ib_q(q, sizeof q, s));
			it.enemy[i] = ib_dup(c, s);
			it.n_enemy = i + 1;
		}
	}
	ib_get_text(c, o, "stem", 4096, 0, &it.stem);
	json_t *opts = json_object_get(o, "options");
	if (!opts) {
		ib_bad(c, "options: missing");
	} else if (!json_is_array(opts) || json_array_size(opts) != 4) {
		ib_bad(c, "options: must be an array of exactly 4 texts");
	} else {
		for (int i = 0; i < 4 && !c->err[0]; i++) {
			json_t *wrap = json_pack("{s:O}", "x", json_array_get(opts, (size_t)i));
			struct ib_lctx sub = { "" };
			ib_get_text(&sub, wrap, "x", 1024, 1, &it.options[i]);
			json_decref(wrap);
			if (sub.err[0])
				ib_bad(c, "options[%d]%s", i, sub.err + 1);
		}
		for (int i = 0; i < 4 && !c->err[0]; i++)
			for (int k = 0; k < i; k++)
				if (strcmp(it.options[i].ja, it.options[k].ja) == 0 || strcmp(it.options[i].en, it.options[k].en) == 0)
					ib_bad(c, "options: options %d and %d are the same", k, i);
	}
	it.key = (int)ib_get_int(c, o, "key", 0, 3);
	ib_get_text(c, o, "rationale", 4096, 0, &it.rationale);
	const char *author = ib_get_str(c, o, "author", 1, 0);
	if (author)
		ib_check_user(c, "author", author);
	const char *reviewer = ib_get_str(c, o, "reviewer", 0, 1);
	if (reviewer) {
		ib_check_user(c, "reviewer", reviewer);
		if (author && strcmp(author, reviewer) == 0)
			ib_bad(c, "reviewer: must differ from author (four-eyes rule)");
	}
	if (status && !reviewer && (!strcmp(status, "pretest") || !strcmp(status, "operational") || !strcmp(status, "retired")))
		ib_bad(c, "reviewer: required when status is %s", status);
	struct ib_diags warn = { 0 };
	if (!c->err[0])
		ib_get_params(c, o, &it, &warn, line);
	if (!c->err[0] && status && strcmp(status, "operational") == 0 && !it.has_params)
		ib_bad(c, "params: required for an operational item");
	if (c->err[0] || !id) {
		ib_diags_free(&warn);
		ib_item_clear(&it);
		return;
	}
	for (size_t i = 0; i < warn.n; i++)
		ib_diag_add(r->diags, line, 1, "%s", warn.v[i].msg);
	ib_diags_free(&warn);
	it.id = ib_dup(c, id);
	it.version = version;
	it.exam = ib_dup(c, exam);
	it.status = ib_dup(c, status);
	it.type = ib_dup(c, type);
	it.domain = ib_dup(c, domain);
	snprintf(it.part, sizeof it.part, "%s", part);
	it.scenario = ib_dup(c, scen);
	it.author = ib_dup(c, author);
	it.reviewer = ib_dup(c, reviewer);
	it.line = line;
	struct ib_item *dst = c->err[0] ? NULL : ib_itemset_add_item(r->set);
	if (!dst) {
		ib_bad(c, "out of memory");
		ib_item_clear(&it);
		return;
	}
	*dst = it;
	if (ib_idmap_put(&r->ids, dst->id, line, 'i', (long)(r->set->n_items - 1)))
		ib_bad(c, "out of memory");
	if (scen) {
		struct ib_idmap_ent *e = ib_idmap_get(&r->ids, scen);
		if (e)
			e->used = 1;
	}
	r->n_records++;
}

/* One line (without its '\n'): parse and check; the first problem becomes a diagnostic. */
static int ib_parse_line(struct ib_reader *r, const char *s, size_t n, int line, int last_unterminated)
{
	struct ib_lctx c = { "" };
	json_t *o = NULL;
	if (n > IB_ITEMS_MAX_LINE) {
		ib_bad(&c, "line: %zu bytes, over the %zu-byte bound", n, IB_ITEMS_MAX_LINE);
		goto done;
	}
	if (n == 0) {
		ib_bad(&c, "line: empty line (not allowed)");
		goto done;
	}
	if (line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		ib_bad(&c, "line: starts with a byte-order mark (write UTF-8 without BOM)");
		goto done;
	}
	if (s[n - 1] == '\r') {
		ib_bad(&c, "line: ends in \\r\\n; lines must end in \\n");
		goto done;
	}
	json_error_t je;
	o = json_loadb(s, n, JSON_REJECT_DUPLICATES, &je);
	if (!o) {
		ib_bad(&c, "json: not valid JSON at column %d: %s", je.column, je.text);
		goto done;
	}
	if (!json_is_object(o)) {
		ib_bad(&c, "json: a line must hold one JSON object");
		goto done;
	}
	json_t *rec = json_object_get(o, "record");
	if (!rec) {
		ib_bad(&c, "record: missing (\"meta\", \"scenario\" or \"item\")");
		goto done;
	}
	const char *rs = json_is_string(rec) ? json_string_value(rec) : "";
	if (strcmp(rs, "meta") == 0)
		ib_parse_meta(r, &c, o, line);
	else if (strcmp(rs, "scenario") == 0)
		ib_parse_scenario(r, &c, o, line);
	else if (strcmp(rs, "item") == 0)
		ib_parse_item(r, &c, o, line);
	else
		ib_bad(&c, "record: must be \"meta\", \"scenario\" or \"item\"");
	if (!c.err[0] && last_unterminated)
		ib_bad(&c, "line: the last line does not end in \\n");
done:
	if (c.err[0]) {
		/* Remember the id of a bad line so references to it do not cascade. */
		json_t *idv = o ? json_object_get(o, "id") : NULL;
		if (idv && json_is_string(idv) && !ib_idmap_get(&r->ids, json_string_value(idv))) {
			/* The key must outlive o: keep a copy in a side list owned by the map user. */
			char *k = strdup(json_string_value(idv));
			if (k && ib_idmap_put(&r->ids, k, line, 'x', -1) != 0)
				free(k);
		}
		json_decref(o);
		return ib_diag_add(r->diags, line, 0, "%s", c.err);
	}
	json_decref(o);
	return 0;
}

static int ib_diag_cmp(const void *pa, const void *pb)
{
	const struct ib_diag *a = pa, *b = pb;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->warning != b->warning)
		return a->warning - b->warning;
	return 0;
}

int ib_items_parse(struct ib_itemset **out, struct ib_diags *diags, const char *buf, size_t len, int flags)
{
	struct ib_reader r = { .diags = diags, .flags = flags };
	int rc = 0;
	if (len > IB_ITEMS_MAX_BYTES) {
		ib_diag_add(diags, 0, 0, "file: %zu bytes, over the %zu-byte bound", len, IB_ITEMS_MAX_BYTES);
		rs_error_set("item file over %zu bytes", IB_ITEMS_MAX_BYTES);
		return RS_ETOOBIG;
	}
	rc = ib_itemset_new(&r.set);
	if (rc)
		return rc;
	size_t pos = 0;
	int line = 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		line++;
		if (line > IB_ITEMS_MAX_LINES) {
			if (diags->n >= IB_ITEMS_MAX_DIAGS) { /* the reason to stop is always shown */
				free(diags->v[--diags->n].msg);
				diags->dropped++;
			}
			ib_diag_add(diags, line, 0, "file: more than %d lines", IB_ITEMS_MAX_LINES);
			rs_error_set("item file over %d lines", IB_ITEMS_MAX_LINES);
			rc = RS_ETOOBIG;
			goto done;
		}
		if (ib_parse_line(&r, buf + pos, n, line, nl == NULL)) {
			rc = RS_ENOMEM;
			rs_error_set("out of memory");
			goto done;
		}
		pos += n + (nl ? 1 : 0);
	}
	if (r.n_records == 0 && diags->n_errors == 0)
		ib_diag_add(diags, 0, 0, "file: holds no items");
	/* Cross-line rules on the good lines: orphan scenarios and enemy references. */
	for (size_t i = 0; i < r.set->n_scenarios; i++) {
		struct ib_idmap_ent *e = ib_idmap_get(&r.ids, r.set->scenarios[i].id);
		if (e && !e->used)
			ib_diag_add(diags, r.set->scenarios[i].line, 0, "id: scenario \"%s\" is used by no item", e->key);
	}
	for (size_t i = 0; i < r.set->n_items; i++) {
		const struct ib_item *it = &r.set->items[i];
		for (size_t k = 0; k < it->n_enemy; k++) {
			struct ib_idmap_ent *e = ib_idmap_get(&r.ids, it->enemy[k]);
			char q[64];
			if (e && e->kind == 's') {
				ib_diag_add(diags, it->line, 0, "enemy: %s is a scenario, not an item", ib_q(q, sizeof q, it->enemy[k]));
				break;
			}
			if (!e && !(flags & IB_ITEMS_ENEMY_EXTERNAL)) {
				ib_diag_add(diags, it->line, 0, "enemy: no item %s in this file", ib_q(q, sizeof q, it->enemy[k]));
				break;
			}
		}
	}
	if (diags->n > 1)
		qsort(diags->v, diags->n, sizeof *diags->v, ib_diag_cmp);
	if (diags->n_errors) {
		rs_error_set("%zu bad line(s)", diags->n_errors);
		rc = RS_EINVAL;
	}
done:
	for (size_t i = 0; i < r.ids.cap; i++)
		if (r.ids.v[i].key && r.ids.v[i].kind == 'x')
			free(r.ids.v[i].key);
	free(r.ids.v);
	if (rc == 0)
		*out = r.set;
	else
		ib_itemset_free(r.set);
	return rc;
}

/* ---------------------------------------------------------------------------------- */
/* Canonical writer                                                                    */

struct ib_sbuf {
	char *p;
	size_t n, cap;
	int oom;
};

static void ib_sb_put(struct ib_sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (b->n + n + 1 > cap)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void ib_sb_s(struct ib_sbuf *b, const char *s)
{
	ib_sb_put(b, s, strlen(s));
}

/* A JSON string: only '"', '\\' and control characters are escaped. */
static void ib_sb_jstr(struct ib_sbuf *b, const char *s)
{
	ib_sb_put(b, "\"", 1);
	const char *run = s;
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch >= 0x20 && ch != '"' && ch != '\\')
			continue;
		ib_sb_put(b, run, (size_t)(s - run));
		char esc[8];
		if (ch == '"') ib_sb_s(b, "\\\"");
		else if (ch == '\\') ib_sb_s(b, "\\\\");
		else if (ch == '\n') ib_sb_s(b, "\\n");
		else if (ch == '\t') ib_sb_s(b, "\\t");
		else {
			snprintf(esc, sizeof esc, "\\u%04x", ch);
			ib_sb_s(b, esc);
		}
		run = s + 1;
	}
	ib_sb_put(b, run, (size_t)(s - run));
	ib_sb_put(b, "\"", 1);
}

static void ib_sb_member(struct ib_sbuf *b, const char *name, const char *value)
{
	ib_sb_s(b, ",\"");
	ib_sb_s(b, name);
	ib_sb_s(b, "\":");
	ib_sb_jstr(b, value);
}

static void ib_sb_text(struct ib_sbuf *b, const struct ib_text *t)
{
	ib_sb_s(b, "{\"ja\":");
	ib_sb_jstr(b, t->ja ? t->ja : "");
	ib_sb_s(b, ",\"en\":");
	ib_sb_jstr(b, t->en ? t->en : "");
	ib_sb_s(b, "}");
}

void ib_items_fmt_param(char *out, size_t cap, double v)
{
	if (!out || cap < 32) {
		if (out && cap)
			out[0] = 0;
		return;
	}
	double r = round(v * 10000.0) / 10000.0;
	if (r == 0)
		r = 0; /* no "-0.0" */
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(out, cap, "%.*g", prec, r);
		if (strtod(out, NULL) == r)
			break;
	}
	if (!strpbrk(out, ".eEn")) {
		size_t l = strlen(out);
		if (l + 2 < cap)
			memcpy(out + l, ".0", 3);
	}
}

char *ib_scenario_line(const struct ib_scenario *sc)
{
	struct ib_sbuf b = { 0 };
	char num[32];
	ib_sb_s(&b, "{\"record\":\"scenario\"");
	ib_sb_member(&b, "id", sc->id);
	snprintf(num, sizeof num, ",\"version\":%d", sc->version);
	ib_sb_s(&b, num);
	ib_sb_member(&b, "exam", sc->exam);
	ib_sb_s(&b, ",\"title\":");
	ib_sb_text(&b, &sc->title);
	ib_sb_s(&b, ",\"passage\":");
	ib_sb_text(&b, &sc->passage);
	ib_sb_member(&b, "author", sc->author);
	if (sc->reviewer)
		ib_sb_member(&b, "reviewer", sc->reviewer);
	ib_sb_s(&b, "}\n");
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

char *ib_item_line(const struct ib_item *it, char *const *enemy, size_t n_enemy)
{
	struct ib_sbuf b = { 0 };
	char num[64];
	ib_sb_s(&b, "{\"record\":\"item\"");
	ib_sb_member(&b, "id", it->id);
	snprintf(num, sizeof num, ",\"version\":%d", it->version);
	ib_sb_s(&b, num);
	ib_sb_member(&b, "exam", it->exam);
	ib_sb_member(&b, "status", it->status);
	ib_sb_member(&b, "type", it->type);
	ib_sb_member(&b, "domain", it->domain);
	ib_sb_member(&b, "part", it->part);
	if (it->scenario)
		ib_sb_member(&b, "scenario", it->scenario);
	ib_sb_s(&b, ",\"enemy\":[");
	for (size_t i = 0; i < n_enemy; i++) {
		if (i)
			ib_sb_s(&b, ",");
		ib_sb_jstr(&b, enemy[i]);
	}
	ib_sb_s(&b, "],\"stem\":");
	ib_sb_text(&b, &it->stem);
	ib_sb_s(&b, ",\"options\":[");
	for (int i = 0; i < 4; i++) {
		if (i)
			ib_sb_s(&b, ",");
		ib_sb_text(&b, &it->options[i]);
	}
	snprintf(num, sizeof num, "],\"key\":%d,\"rationale\":", it->key);
	ib_sb_s(&b, num);
	ib_sb_text(&b, &it->rationale);
	ib_sb_member(&b, "author", it->author);
	if (it->reviewer)
		ib_sb_member(&b, "reviewer", it->reviewer);
	if (it->has_params) {
		char fa[32], fb[32], fc[32];
		ib_items_fmt_param(fa, sizeof fa, it->params.a);
		ib_items_fmt_param(fb, sizeof fb, it->params.b);
		ib_items_fmt_param(fc, sizeof fc, it->params.c);
		ib_sb_s(&b, ",\"params\":{\"model\":");
		ib_sb_jstr(&b, it->params.model);
		ib_sb_s(&b, ",\"a\":");
		ib_sb_s(&b, fa);
		ib_sb_s(&b, ",\"b\":");
		ib_sb_s(&b, fb);
		ib_sb_s(&b, ",\"c\":");
		ib_sb_s(&b, fc);
		ib_sb_s(&b, "}");
	}
	ib_sb_s(&b, "}\n");
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

struct ib_pair {
	char *owner, *other;
};

static int ib_pair_cmp(const void *pa, const void *pb)
{
	const struct ib_pair *a = pa, *b = pb;
	int c = strcmp(a->owner, b->owner);
	return c ? c : strcmp(a->other, b->other);
}

static int ib_itemp_cmp(const void *pa, const void *pb)
{
	const struct ib_item *a = *(const struct ib_item *const *)pa, *b = *(const struct ib_item *const *)pb;
	return strcmp(a->id, b->id);
}

static int ib_scenp_cmp(const void *pa, const void *pb)
{
	const struct ib_scenario *a = *(const struct ib_scenario *const *)pa, *b = *(const struct ib_scenario *const *)pb;
	return strcmp(a->id, b->id);
}

static int ib_write_item(FILE *f, const struct ib_item *it, const struct ib_pair *pairs, size_t np)
{
	/* The pairs owned by this item (pairs are sorted by owner, then other). */
	size_t lo = 0, hi = np;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(pairs[mid].owner, it->id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t n = 0;
	while (lo + n < np && strcmp(pairs[lo + n].owner, it->id) == 0)
		n++;
	char **en = n ? calloc(n, sizeof *en) : NULL;
	if (n && !en)
		return RS_ENOMEM;
	for (size_t i = 0; i < n; i++)
		en[i] = pairs[lo + i].other;
	char *line = ib_item_line(it, en, n);
	free(en);
	if (!line)
		return RS_ENOMEM;
	int rc = fputs(line, f) < 0 ? RS_EIO : 0;
	free(line);
	return rc;
}

int ib_items_write(FILE *f, const struct ib_itemset *set)
{
	int rc = 0;
	size_t np = 0, capp = 0;
	struct ib_pair *pairs = NULL;
	const struct ib_item **items = calloc(set->n_items + 1, sizeof *items);
	const struct ib_scenario **scs = calloc(set->n_scenarios + 1, sizeof *scs);
	if (!items || !scs) {
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < set->n_items; i++)
		items[i] = &set->items[i];
	for (size_t i = 0; i < set->n_scenarios; i++)
		scs[i] = &set->scenarios[i];
	qsort(items, set->n_items, sizeof *items, ib_itemp_cmp);
	qsort(scs, set->n_scenarios, sizeof *scs, ib_scenp_cmp);
	/* Symmetric enemy pairs, each owned by its later id when that item is in the set. */
	for (size_t i = 0; i < set->n_items; i++) {
		const struct ib_item *it = &set->items[i];
		for (size_t k = 0; k < it->n_enemy; k++) {
			char *x = it->id, *y = it->enemy[k];
			char *later = strcmp(x, y) > 0 ? x : y, *earlier = later == x ? y : x;
			struct ib_item key = { .id = later };
			const struct ib_item *kp = &key;
			int later_in = bsearch(&kp, items, set->n_items, sizeof *items, ib_itemp_cmp) != NULL;
			if (np == capp) {
				capp = capp ? capp * 2 : 64;
				struct ib_pair *v = realloc(pairs, capp * sizeof *v);
				if (!v) {
					rc = RS_ENOMEM;
					goto done;
				}
				pairs = v;
			}
			pairs[np++] = later_in ? (struct ib_pair){ later, earlier } : (struct ib_pair){ earlier, later };
		}
	}
	if (np)
		qsort(pairs, np, sizeof *pairs, ib_pair_cmp);
	size_t w = 0;
	for (size_t i = 0; i < np; i++)
		if (w == 0 || ib_pair_cmp(&pairs[w - 1], &pairs[i]) != 0)
			pairs[w++] = pairs[i];
	np = w;
	if (set->has_meta) {
		struct ib_sbuf b = { 0 };
		ib_sb_s(&b, "{\"record\":\"meta\",\"format\":\"riss-items\",\"format_version\":1");
		ib_sb_member(&b, "exam", set->meta_exam ? set->meta_exam : "");
		if (set->meta_title)
			ib_sb_member(&b, "title", set->meta_title);
		ib_sb_s(&b, "}\n");
		if (b.oom || fputs(b.p, f) < 0)
			rc = b.oom ? RS_ENOMEM : RS_EIO;
		free(b.p);
		if (rc)
			goto done;
	}
	for (size_t s = 0; s < set->n_scenarios; s++) {
		char *line = ib_scenario_line(scs[s]);
		if (!line) {
			rc = RS_ENOMEM;
			goto done;
		}
		rc = fputs(line, f) < 0 ? RS_EIO : 0;
		free(line);
		for (size_t i = 0; i < set->n_items && !rc; i++)
			if (items[i]->scenario && strcmp(items[i]->scenario, scs[s]->id) == 0)
				rc = ib_write_item(f, items[i], pairs, np);
		if (rc)
			goto done;
	}
	for (size_t i = 0; i < set->n_items; i++) {
		int has_sc = items[i]->scenario && ib_itemset_find_scenario(set, items[i]->scenario) >= 0;
		if (!has_sc && (rc = ib_write_item(f, items[i], pairs, np)) != 0)
			goto done;
	}
	if (fflush(f) != 0)
		rc = RS_EIO;
done:
	if (rc == RS_ENOMEM)
		rs_error_set("out of memory");
	else if (rc == RS_EIO)
		rs_error_set("cannot write the item file");
	free(pairs);
	free(items);
	free(scs);
	return rc;
}
