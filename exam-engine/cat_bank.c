/* exam-engine: the engine's item bank, JSON Lines one item per line (docs/bank-format.md). */
#include "cat_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cat_jnum(const struct cat_json *j, const struct cat_jnode *obj, const char *key, bool required,
             double *out, const char *ctx)
{
	const struct cat_jnode *n = cat_json_get(j, obj, key);
	if (!n || n->type == CAT_JNULL) {
		if (required) {
			cat_error_set("%s: missing \"%s\"", ctx, key);
			return CAT_EINVAL;
		}
		return 0;
	}
	if (n->type != CAT_JNUM || !isfinite(n->num)) {
		cat_error_set("%s: \"%s\" must be a finite number", ctx, key);
		return CAT_EINVAL;
	}
	*out = n->num;
	return 0;
}

int cat_jint(const struct cat_json *j, const struct cat_jnode *obj, const char *key, bool required,
             int lo, int hi, int *out, const char *ctx)
{
	double v = 0;
	const struct cat_jnode *n = cat_json_get(j, obj, key);
	if (!n && !required)
		return 0;
	if (cat_jnum(j, obj, key, true, &v, ctx))
		return CAT_EINVAL;
	if (v != floor(v) || v < lo || v > hi) {
		cat_error_set("%s: \"%s\" must be a whole number in [%d, %d]", ctx, key, lo, hi);
		return CAT_EINVAL;
	}
	*out = (int)v;
	return 0;
}

int cat_jstr(const struct cat_json *j, const struct cat_jnode *obj, const char *key, bool required,
             char *out, size_t cap, const char *ctx)
{
	const struct cat_jnode *n = cat_json_get(j, obj, key);
	if (!n || n->type == CAT_JNULL) {
		if (required) {
			cat_error_set("%s: missing \"%s\"", ctx, key);
			return CAT_EINVAL;
		}
		return 0;
	}
	if (n->type != CAT_JSTR) {
		cat_error_set("%s: \"%s\" must be a string", ctx, key);
		return CAT_EINVAL;
	}
	size_t l = strlen(n->str);
	if (l + 1 > cap) {
		cat_error_set("%s: \"%s\" longer than %zu bytes", ctx, key, cap - 1);
		return CAT_EINVAL;
	}
	memcpy(out, n->str, l + 1);
	return 0;
}

/* The checks every bank item passes, however it was made. 0 or CAT_EINVAL. */
static int cat_bank_item_valid(const struct cat_bank_item *it)
{
	if (it->id[0] == 0 || !memchr(it->id, 0, sizeof it->id) || !memchr(it->domain, 0, sizeof it->domain) ||
	    !memchr(it->part, 0, sizeof it->part) || !memchr(it->type, 0, sizeof it->type) ||
	    !memchr(it->enemy, 0, sizeof it->enemy)) {
		cat_error_set("bank item: empty or unterminated id, or an unterminated name");
		return CAT_EINVAL;
	}
	if (!(it->sh_k > 0 && it->sh_k <= 1)) {
		cat_error_set("bank item %s: sh_k must be in (0, 1]", it->id);
		return CAT_EINVAL;
	}
	if (it->nkc < 0 || it->nkc > CAT_SH_MAX_STRATA) {
		cat_error_set("bank item %s: sh_kc must list 1..%d values", it->id, CAT_SH_MAX_STRATA);
		return CAT_EINVAL;
	}
	for (int k = 0; k < it->nkc; k++)
		if (!(it->sh_kc[k] > 0 && it->sh_kc[k] <= 1)) {
			cat_error_set("bank item %s: sh_kc values must be in (0, 1]", it->id);
			return CAT_EINVAL;
		}
	if ((unsigned)it->status > CAT_RETIRED) {
		cat_error_set("bank item %s: unknown status", it->id);
		return CAT_EINVAL;
	}
	if (cat_item_check(&it->irt)) {
		char msg[200];
		snprintf(msg, sizeof msg, "%s", cat_error_last());
		cat_error_set("bank item %s: %s", it->id, msg);
		return CAT_EINVAL;
	}
	return 0;
}

int cat_bank_item_parse(struct cat_bank_item *out, const char *line, size_t len)
{
	struct cat_json j;
	struct cat_bank_item it;
	char model[16] = "", status[16] = "operational";
	const char *ctx = "bank item";
	int rc = cat_json_parse(&j, line, len);
	if (rc)
		goto done;
	const struct cat_jnode *o = &j.nodes[0];
	rc = CAT_EINVAL;
	if (o->type != CAT_JOBJ) {
		cat_error_set("bank item: a line must hold one JSON object");
		goto done;
	}
	memset(&it, 0, sizeof it);
	it.irt.D = 1;
	it.irt.a = 1;
	it.irt.nsteps = 1;
	it.sh_k = 1;
	if (cat_jstr(&j, o, "id", true, it.id, sizeof it.id, ctx) ||
	    cat_jstr(&j, o, "model", true, model, sizeof model, ctx))
		goto done;
	if (it.id[0] == 0) {
		cat_error_set("bank item: empty \"id\"");
		goto done;
	}
	const struct cat_model_word *mw = cat_model_lookup(model);
	if (!mw) {
		cat_error_set("bank item %s: unknown model \"%s\" (rasch, 1pl, 2pl, 3pl or gpcm)", it.id, model);
		goto done;
	}
	it.irt.model = mw->model;
	if (cat_jnum(&j, o, "a", it.irt.model != CAT_1PL, &it.irt.a, ctx) ||
	    cat_jnum(&j, o, "c", false, &it.irt.c, ctx) ||
	    cat_jnum(&j, o, "D", false, &it.irt.D, ctx) ||
	    cat_jnum(&j, o, "sh_k", false, &it.sh_k, ctx) ||
	    cat_jstr(&j, o, "domain", true, it.domain, sizeof it.domain, ctx) ||
	    cat_jstr(&j, o, "part", false, it.part, sizeof it.part, ctx) ||
	    cat_jstr(&j, o, "type", false, it.type, sizeof it.type, ctx) ||
	    cat_jstr(&j, o, "enemy", false, it.enemy, sizeof it.enemy, ctx) ||
	    cat_jstr(&j, o, "status", false, status, sizeof status, ctx))
		goto done;
	if (it.irt.model == CAT_GPCM) {
		const struct cat_jnode *s = cat_json_get(&j, o, "steps");
		if (!s || s->type != CAT_JARR || s->count < 1 || s->count > CAT_MAX_STEPS) {
			cat_error_set("bank item %s: gpcm needs \"steps\", an array of 1..%d numbers", it.id, CAT_MAX_STEPS);
			goto done;
		}
		double sum = 0;
		for (int k = 0; k < s->count; k++) {
			const struct cat_jnode *v = cat_json_child(&j, s, k);
			if (v->type != CAT_JNUM || !isfinite(v->num)) {
				cat_error_set("bank item %s: steps must be finite numbers", it.id);
				goto done;
			}
			it.irt.steps[k] = v->num;
			sum += v->num;
		}
		it.irt.nsteps = s->count;
		it.irt.b = sum / s->count;
	} else if (cat_jnum(&j, o, "b", true, &it.irt.b, ctx)) {
		goto done;
	}
	const struct cat_jnode *kc = cat_json_get(&j, o, "sh_kc");
	if (kc) {
		if (kc->type != CAT_JARR || kc->count < 1 || kc->count > CAT_SH_MAX_STRATA) {
			cat_error_set("bank item %s: \"sh_kc\" must be an array of 1..%d numbers", it.id, CAT_SH_MAX_STRATA);
			goto done;
		}
		for (int k = 0; k < kc->count; k++) {
			const struct cat_jnode *v = cat_json_child(&j, kc, k);
			if (v->type != CAT_JNUM || !(v->num > 0 && v->num <= 1)) {
				cat_error_set("bank item %s: sh_kc values must be in (0, 1]", it.id);
				goto done;
			}
			it.sh_kc[k] = v->num;
		}
		it.nkc = kc->count;
	}
	if (strcmp(status, "operational") == 0) it.status = CAT_OPERATIONAL;
	else if (strcmp(status, "pretest") == 0) it.status = CAT_PRETEST;
	else if (strcmp(status, "retired") == 0) it.status = CAT_RETIRED;
	else {
		cat_error_set("bank item %s: unknown status \"%s\" (operational, pretest or retired)", it.id, status);
		goto done;
	}
	if (cat_bank_item_valid(&it))
		goto done;
	*out = it;
	rc = 0;
done:
	cat_json_free(&j);
	return rc;
}

/* Shortest %.Ng (15..17 digits) that reads back as exactly v. */
static void cat_fmt_num(char *out, size_t cap, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(out, cap, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

/* JSON string with escapes for the few characters our names may hold. */
static size_t cat_put_jstr(char *b, size_t cap, const char *s)
{
	size_t n = 0;
	if (n < cap) b[n] = '"';
	n++;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			if (n + 1 < cap) { b[n] = '\\'; b[n + 1] = (char)c; }
			n += 2;
		} else if (c < 0x20) {
			if (n + 6 < cap) snprintf(b + n, 7, "\\u%04x", c);
			n += 6;
		} else {
			if (n < cap) b[n] = (char)c;
			n++;
		}
	}
	if (n < cap) b[n] = '"';
	n++;
	return n;
}

int cat_bank_item_format(char *buf, size_t cap, const struct cat_bank_item *it)
{
	static const char *st[] = { "operational", "pretest", "retired" };
	char tmp[CAT_BANK_MAX_LINE];
	size_t n = 0;
	int w;
#define CAT_APPEND_F(...) do { \
		w = snprintf(tmp + n, sizeof tmp - n, __VA_ARGS__); \
		if (w < 0 || (size_t)w >= sizeof tmp - n) { return -1; } \
		n += (size_t)w; \
	} while (0)
#define CAT_APPEND_S(s) do { \
		size_t l_ = cat_put_jstr(tmp + n, sizeof tmp - n, s); \
		if (l_ >= sizeof tmp - n) { return -1; } \
		n += l_; \
	} while (0)
	CAT_APPEND_F("{\"id\":");
	CAT_APPEND_S(it->id);
	char f1[32], f2[32];
	cat_fmt_num(f1, sizeof f1, it->irt.a);
	cat_fmt_num(f2, sizeof f2, it->irt.b);
	CAT_APPEND_F(",\"model\":\"%s\",\"a\":%s", cat_model_name(it->irt.model, false), f1);
	if (it->irt.model != CAT_GPCM)
		CAT_APPEND_F(",\"b\":%s", f2);
	if (it->irt.model == CAT_3PL) {
		cat_fmt_num(f1, sizeof f1, it->irt.c);
		CAT_APPEND_F(",\"c\":%s", f1);
	}
	if (it->irt.D != 1) {
		cat_fmt_num(f1, sizeof f1, it->irt.D);
		CAT_APPEND_F(",\"D\":%s", f1);
	}
	if (it->irt.model == CAT_GPCM) {
		CAT_APPEND_F(",\"steps\":[");
		for (int k = 0; k < it->irt.nsteps; k++) {
			cat_fmt_num(f1, sizeof f1, it->irt.steps[k]);
			CAT_APPEND_F("%s%s", k ? "," : "", f1);
		}
		CAT_APPEND_F("]");
	}
	CAT_APPEND_F(",\"domain\":");
	CAT_APPEND_S(it->domain);
	if (it->part[0]) { CAT_APPEND_F(",\"part\":"); CAT_APPEND_S(it->part); }
	if (it->type[0]) { CAT_APPEND_F(",\"type\":"); CAT_APPEND_S(it->type); }
	if (it->enemy[0]) { CAT_APPEND_F(",\"enemy\":"); CAT_APPEND_S(it->enemy); }
	cat_fmt_num(f1, sizeof f1, it->sh_k);
	CAT_APPEND_F(",\"status\":\"%s\",\"sh_k\":%s", st[it->status], f1);
	if (it->nkc > 0) { /* only when set, so banks without it keep their version */
		CAT_APPEND_F(",\"sh_kc\":[");
		for (int k = 0; k < it->nkc && k < CAT_SH_MAX_STRATA; k++) {
			cat_fmt_num(f1, sizeof f1, it->sh_kc[k]);
			CAT_APPEND_F("%s%s", k ? "," : "", f1);
		}
		CAT_APPEND_F("]");
	}
	CAT_APPEND_F("}\n");
#undef CAT_APPEND_F
#undef CAT_APPEND_S
	if (n + 1 > cap)
		return -1;
	memcpy(buf, tmp, n + 1);
	return (int)n;
}

void cat_bank_rehash(struct cat_bank *bank)
{
	uint64_t h = CAT_FNV_INIT;
	char line[CAT_BANK_MAX_LINE];
	for (size_t i = 0; i < bank->n; i++) {
		int l = cat_bank_item_format(line, sizeof line, &bank->items[i]);
		if (l > 0)
			h = cat_fnv1a(h, line, (size_t)l);
	}
	bank->version = h;
}

static int cat_strptrcmp(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Common end of parse and build: at least one item, unique ids, the version. */
static int cat_bank_finish(struct cat_bank *b)
{
	if (b->n == 0) {
		cat_error_set("bank: no items");
		return CAT_EINVAL;
	}
	/* Ids must be unique: sort a copy of the indices by id and compare neighbours. */
	char **ids = malloc(b->n * sizeof *ids);
	if (!ids)
		return CAT_ENOMEM;
	for (size_t i = 0; i < b->n; i++) ids[i] = b->items[i].id;
	qsort(ids, b->n, sizeof *ids, cat_strptrcmp);
	for (size_t i = 1; i < b->n; i++)
		if (strcmp(ids[i - 1], ids[i]) == 0) {
			cat_error_set("bank: duplicate item id \"%s\"", ids[i]);
			free(ids);
			return CAT_EINVAL;
		}
	free(ids);
	cat_bank_rehash(b);
	return 0;
}

int cat_bank_parse(struct cat_bank **out, const char *text, size_t len)
{
	struct cat_bank *b = calloc(1, sizeof *b);
	size_t cap = 0, lineno = 0;
	int rc = CAT_ENOMEM;
	if (!b)
		goto fail;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		lineno++;
		size_t ll = (size_t)(le - p);
		const char *q = p;
		p = nl ? nl + 1 : end;
		while (ll && (q[ll - 1] == '\r' || q[ll - 1] == ' ' || q[ll - 1] == '\t')) ll--;
		while (ll && (*q == ' ' || *q == '\t')) { q++; ll--; }
		if (ll == 0 || *q == '#')
			continue;
		if (ll > CAT_BANK_MAX_LINE) {
			cat_error_set("bank line %zu: longer than %d bytes", lineno, CAT_BANK_MAX_LINE);
			rc = CAT_ETOOBIG;
			goto fail;
		}
		if (b->n >= CAT_BANK_MAX_ITEMS) {
			cat_error_set("bank: more than %d items", CAT_BANK_MAX_ITEMS);
			rc = CAT_ETOOBIG;
			goto fail;
		}
		if (b->n == cap) {
			size_t nc = cap ? cap * 2 : 256;
			struct cat_bank_item *ni = realloc(b->items, nc * sizeof *ni);
			if (!ni) {
				cat_error_set("bank: out of memory");
				goto fail;
			}
			b->items = ni;
			cap = nc;
		}
		if ((rc = cat_bank_item_parse(&b->items[b->n], q, ll)) != 0) {
			char msg[220];
			snprintf(msg, sizeof msg, "%s", cat_error_last());
			cat_error_set("bank line %zu: %s", lineno, msg);
			goto fail;
		}
		b->n++;
	}
	if (b->n == 0) {
		cat_error_set("bank: no items");
		rc = CAT_EINVAL;
		goto fail;
	}
	if ((rc = cat_bank_finish(b)) != 0)
		goto fail;
	*out = b;
	return 0;
fail:
	cat_bank_free(b);
	return rc;
}

int cat_bank_build(struct cat_bank **out, const struct cat_bank_item *items, size_t n)
{
	int rc = CAT_ETOOBIG;
	struct cat_bank *b = calloc(1, sizeof *b);
	if (!b)
		return CAT_ENOMEM;
	if (n > CAT_BANK_MAX_ITEMS) {
		cat_error_set("bank: more than %d items", CAT_BANK_MAX_ITEMS);
		goto fail;
	}
	rc = CAT_ENOMEM;
	b->items = malloc((n ? n : 1) * sizeof *b->items);
	if (!b->items) {
		cat_error_set("bank: out of memory");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		if ((rc = cat_bank_item_valid(&items[i])) != 0)
			goto fail;
		b->items[i] = items[i];
		/* Canonical form, as a parse of the formatted line gives: unused fields zero. */
		struct cat_bank_item *it = &b->items[i];
		if (it->irt.model != CAT_3PL)
			it->irt.c = 0;
		if (it->irt.model != CAT_GPCM) {
			it->irt.nsteps = 1;
			memset(it->irt.steps, 0, sizeof it->irt.steps);
		}
		b->n++;
		char line[CAT_BANK_MAX_LINE];
		if (cat_bank_item_format(line, sizeof line, it) < 0) {
			cat_error_set("bank item %s: longer than a bank line", it->id);
			rc = CAT_ETOOBIG;
			goto fail;
		}
	}
	if ((rc = cat_bank_finish(b)) != 0)
		goto fail;
	*out = b;
	return 0;
fail:
	cat_bank_free(b);
	return rc;
}

long cat_bank_find(const struct cat_bank *bank, const char *id)
{
	for (size_t i = 0; i < bank->n; i++)
		if (strcmp(bank->items[i].id, id) == 0)
			return (long)i;
	return -1;
}

void cat_bank_free(struct cat_bank *bank)
{
	if (!bank)
		return;
	free(bank->items);
	free(bank);
}
