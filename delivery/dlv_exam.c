/* The exam as delivered: the engine (exam definition + bank) and the item content (text and
 * keys) built from one item interchange file, loaded once per process. */
#include "dlv_int.h"

#include "ib_package.h"
#include "rs_config.h"
#include "rs_error.h"
#include "rs_util.h"
#include "rs_encode.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DLV_ITEMS_MAX_BYTES (64u * 1024u * 1024u)

/* A copy, not a pointer: callers may pass a slug that lives in a buffer on their stack. */
static _Thread_local char dlv_slug[48];

const char *dlv_slug_last(void)
{
	return dlv_slug;
}

void dlv_slug_set(const char *slug)
{
	snprintf(dlv_slug, sizeof dlv_slug, "%s", slug ? slug : "");
}

/* Enemy sets: union-find over item indices, so every linked group shares one set name. */
static size_t dlv_uf_find(size_t *parent, size_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

/* The exam domain of an item (the one SG vocabulary, cat_sg_exam_domain); the item's own
 * code when the vocabulary does not know it (the engine then refuses or ignores it). */
static const char *dlv_engine_domain(const char *domain, const char *part)
{
	const struct cat_sg_domain *d = cat_sg_exam_domain(domain, part);
	return d ? d->name : domain;
}

static int dlv_model(const char *m, enum cat_model *out)
{
	const struct cat_model_word *w = cat_model_lookup(m);
	if (!w)
		return RS_EINVAL;
	*out = w->model;
	return 0;
}

static int dlv_read(char **out, size_t *out_len, const char *path, size_t max)
{
	if (rs_read_file(out, out_len, path, max) == 0)
		return 0;
	char alt[4096];
	if (path[0] != '/') {
		snprintf(alt, sizeof alt, "%s/%s", RS_SOURCE_ROOT, path);
		if (rs_read_file(out, out_len, alt, max) == 0)
			return 0;
	}
	rs_error_set("cannot read '%s'", path);
	return RS_EIO;
}

void dlv_exam_free(struct dlv_exam *ex)
{
	if (!ex)
		return;
	if (ex->pkg) {
		ib_package_free(ex->pkg); /* owns exam, bank and engine */
	} else {
		cat_engine_free(ex->eng);
		cat_bank_free(ex->bank);
		cat_exam_free(ex->exam);
	}
	if (ex->content) {
		for (size_t i = 0; i < ex->n; i++)
			json_decref(ex->content[i].view);
	}
	free(ex->content);
	free(ex);
}

int dlv_exam_load(struct dlv_exam **out, const char *exam_path, const char *items_path)
{
	int rc = 0;
	char *etext = NULL, *itext = NULL, *btext = NULL;
	size_t elen = 0, ilen = 0, bcap = 0, blen = 0;
	json_t *scen = json_object(), *items = json_array();
	size_t *parent = NULL;
	struct dlv_exam *ex = calloc(1, sizeof *ex);
	if (!ex || !scen || !items) {
		rc = RS_ENOMEM;
		goto done;
	}
	if ((rc = dlv_read(&etext, &elen, exam_path, CAT_EXAM_MAX_BYTES)) != 0)
		goto done;
	if ((rc = cat_exam_parse(&ex->exam, etext, elen)) != 0) {
		rs_error_set("exam definition '%s': %s", exam_path, cat_error_last());
		goto done;
	}
	if ((rc = dlv_read(&itext, &ilen, items_path, DLV_ITEMS_MAX_BYTES)) != 0)
		goto done;
	/* Pass 1: scenarios and usable items (operational or pretest with parameters). */
	size_t lineno = 0;
	for (char *line = itext, *next; line && *line; line = next) {
		lineno++;
		char *nl = strchr(line, '\n');
		next = nl ? nl + 1 : NULL;
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		if (len == 0)
			continue;
		json_error_t jerr;
		json_t *o = json_loadb(line, len, 0, &jerr);
		if (!json_is_object(o)) {
			json_decref(o);
			rs_error_set("%s:%zu: not a JSON object", items_path, lineno);
			rc = RS_EPARSE;
			goto done;
		}
		const char *rec = json_string_value(json_object_get(o, "record"));
		const char *id = json_string_value(json_object_get(o, "id"));
		if (rec && id && strcmp(rec, "scenario") == 0) {
			json_object_set(scen, id, o);
		} else if (rec && id && strcmp(rec, "item") == 0) {
			const char *st = json_string_value(json_object_get(o, "status"));
			json_t *params = json_object_get(o, "params");
			if (st && (strcmp(st, "operational") == 0 || strcmp(st, "pretest") == 0) && json_is_object(params))
				json_array_append(items, o);
		}
		json_decref(o);
	}
	ex->n = json_array_size(items);
	if (ex->n == 0) {
		rs_error_set("%s: no operational or pretest items with parameters", items_path);
		rc = RS_EINVAL;
		goto done;
	}
	ex->content = calloc(ex->n, sizeof *ex->content);
	parent = calloc(ex->n, sizeof *parent);
	if (!ex->content || !parent) {
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < ex->n; i++)
		parent[i] = i;
	/* Enemy links into sets. */
	for (size_t i = 0; i < ex->n; i++) {
		json_t *en = json_object_get(json_array_get(items, i), "enemy");
		size_t k;
		json_t *v;
		json_array_foreach(en, k, v) {
			const char *eid = json_string_value(v);
			for (size_t j = 0; eid && j < ex->n; j++) {
				if (strcmp(json_string_value(json_object_get(json_array_get(items, j), "id")), eid) == 0) {
					size_t a = dlv_uf_find(parent, i), b = dlv_uf_find(parent, j);
					parent[a] = b;
				}
			}
		}
	}
	size_t *setsize = calloc(ex->n, sizeof *setsize);
	if (!setsize) {
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < ex->n; i++)
		setsize[dlv_uf_find(parent, i)]++;
	/* Pass 2: engine bank text and the per-item content. */
	for (size_t i = 0; i < ex->n; i++) {
		json_t *o = json_array_get(items, i);
		json_t *p = json_object_get(o, "params");
		struct cat_bank_item bi;
		memset(&bi, 0, sizeof bi);
		const char *id = json_string_value(json_object_get(o, "id"));
		const char *domain = json_string_value(json_object_get(o, "domain"));
		const char *part = json_string_value(json_object_get(o, "part"));
		const char *model = json_string_value(json_object_get(p, "model"));
		json_t *key = json_object_get(o, "key");
		json_t *opts = json_object_get(o, "options");
		if (!id || !domain || !part || !model || !json_is_integer(key) || json_array_size(opts) != 4 ||
		    strlen(id) >= CAT_ID_MAX || dlv_model(model, &bi.irt.model) != 0) {
			rs_error_set("%s: item %zu is incomplete (id, domain, part, key, 4 options, params)", items_path, i + 1);
			rc = RS_EINVAL;
			free(setsize);
			goto done;
		}
		snprintf(bi.id, sizeof bi.id, "%s", id);
		bi.irt.a = json_number_value(json_object_get(p, "a"));
		bi.irt.b = json_number_value(json_object_get(p, "b"));
		bi.irt.c = json_number_value(json_object_get(p, "c"));
		bi.irt.D = 1.0;
		bi.irt.nsteps = 1;
		snprintf(bi.domain, sizeof bi.domain, "%s", dlv_engine_domain(domain, part));
		snprintf(bi.part, sizeof bi.part, "%s", part);
		const struct cat_sg_domain *sd = cat_sg_domain_named(bi.domain);
		snprintf(bi.type, sizeof bi.type, "%s", sd ? sd->type : "mc4");
		size_t root = dlv_uf_find(parent, i);
		if (setsize[root] > 1)
			snprintf(bi.enemy, sizeof bi.enemy, "E%zu", root);
		bi.status = strcmp(json_string_value(json_object_get(o, "status")), "pretest") == 0 ? CAT_PRETEST : CAT_OPERATIONAL;
		bi.sh_k = 1.0;
		if (bcap - blen < 1024) {
			bcap = bcap ? bcap * 2 : 65536;
			char *nb = realloc(btext, bcap);
			if (!nb) {
				rc = RS_ENOMEM;
				free(setsize);
				goto done;
			}
			btext = nb;
		}
		int w = cat_bank_item_format(btext + blen, bcap - blen, &bi);
		if (w < 0) {
			rs_error_set("%s: item '%s' cannot be formatted for the engine", items_path, id);
			rc = RS_EINVAL;
			free(setsize);
			goto done;
		}
		blen += (size_t)w;

		struct dlv_content *c = &ex->content[i];
		c->key = (int)json_integer_value(key);
		json_t *view = json_pack("{s:s, s:s, s:O, s:O}", "item_id", id, "part", part,
		                         "stem", json_object_get(o, "stem"), "options", opts);
		const char *sid = json_string_value(json_object_get(o, "scenario"));
		json_t *so = sid ? json_object_get(scen, sid) : NULL;
		if (view && so)
			json_object_set_new(view, "scenario", json_pack("{s:s, s:O, s:O}", "id", sid,
			                    "title", json_object_get(so, "title"), "passage", json_object_get(so, "passage")));
		if (!view) {
			rc = RS_ENOMEM;
			free(setsize);
			goto done;
		}
		c->view = view;
	}
	free(setsize);
	if ((rc = cat_bank_parse(&ex->bank, btext, blen)) != 0) {
		rs_error_set("engine bank from '%s': %s", items_path, cat_error_last());
		goto done;
	}
	if ((rc = cat_engine_new(&ex->eng, ex->exam, ex->bank)) != 0) {
		rs_error_set("exam '%s' with items '%s': %s", exam_path, items_path, cat_error_last());
		goto done;
	}
	snprintf(ex->exam_version, sizeof ex->exam_version, "%016llx", (unsigned long long)ex->exam->hash);
	snprintf(ex->bank_version, sizeof ex->bank_version, "%016llx", (unsigned long long)ex->bank->version);
	*out = ex;
	ex = NULL;
done:
	dlv_exam_free(ex);
	free(etext);
	free(itext);
	free(btext);
	free(parent);
	json_decref(scen);
	json_decref(items);
	return rc;
}

static pthread_once_t dlv_once = PTHREAD_ONCE_INIT;
static const struct dlv_exam *dlv_global;
static int dlv_global_rc;
static char dlv_global_err[512];

static void dlv_global_load(void)
{
	if (dlv_global)
		return;
	/* Config rows exam_definition and exam_items (also RISS_EXAM_DEFINITION / RISS_EXAM_ITEMS
	 * through the config table's environment rule). */
	struct dlv_exam *ex = NULL;
	dlv_global_rc = dlv_exam_load(&ex, rs_config_str("exam_definition"), rs_config_str("exam_items"));
	if (dlv_global_rc == 0)
		dlv_global = ex;
	else
		snprintf(dlv_global_err, sizeof dlv_global_err, "%s", rs_error_last());
}

void dlv_exam_set(const struct dlv_exam *ex)
{
	dlv_global = ex;
}

int dlv_exam_get(const struct dlv_exam **out)
{
	pthread_once(&dlv_once, dlv_global_load);
	if (!dlv_global) {
		rs_error_set("the exam cannot be loaded: %s", dlv_global_err);
		return dlv_global_rc ? dlv_global_rc : RS_EIO;
	}
	*out = dlv_global;
	return 0;
}

/* Exam packages loaded by this process: immutable, so kept for the process's life. */
#define DLV_PKG_MAX 64
static pthread_mutex_t dlv_pkg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct dlv_exam *dlv_pkgs[DLV_PKG_MAX];
static size_t dlv_npkgs;

static int dlv_exam_from_package(struct dlv_exam **out, struct ib_package *pkg)
{
	struct dlv_exam *ex = calloc(1, sizeof *ex);
	if (!ex || !(ex->content = calloc(pkg->n ? pkg->n : 1, sizeof *ex->content))) {
		free(ex);
		ib_package_free(pkg);
		return RS_ENOMEM;
	}
	ex->pkg = pkg;
	ex->exam = pkg->exam_def;
	ex->bank = pkg->bank;
	ex->eng = pkg->eng;
	ex->n = pkg->n;
	for (size_t i = 0; i < pkg->n; i++) {
		ex->content[i].key = pkg->keys[i];
		ex->content[i].view = json_incref(pkg->views[i]);
	}
	snprintf(ex->exam_version, sizeof ex->exam_version, "%s", pkg->exam_version);
	snprintf(ex->bank_version, sizeof ex->bank_version, "%s", pkg->bank_version);
	ex->package_id = pkg->id;
	snprintf(ex->package_sha256, sizeof ex->package_sha256, "%s", pkg->sha256);
	*out = ex;
	return 0;
}

int dlv_exam_for(const struct dlv_exam **out, rs_db *db, int64_t package_id, const char *sha256_hex)
{
	if (package_id <= 0)
		return dlv_exam_get(out);
	const struct dlv_exam *found = NULL;
	int rc = 0;
	pthread_mutex_lock(&dlv_pkg_mu);
	for (size_t i = 0; i < dlv_npkgs && !found; i++)
		if (dlv_pkgs[i]->package_id == package_id)
			found = dlv_pkgs[i];
	if (!found) {
		/* Loaded under the lock: a package is read and verified once per process. */
		struct ib_package *pkg = NULL;
		struct dlv_exam *ex = NULL;
		if ((rc = ib_package_load(&pkg, db, package_id)) == 0 && (rc = dlv_exam_from_package(&ex, pkg)) == 0) {
			if (dlv_npkgs < DLV_PKG_MAX) {
				dlv_pkgs[dlv_npkgs++] = ex;
			} else {
				/* Entries serve sittings in flight and are never evicted. */
				rs_error_set("more than %d exam packages in one process", DLV_PKG_MAX);
				dlv_exam_free(ex);
				ex = NULL;
				rc = RS_ETOOBIG;
			}
			found = ex;
		}
	}
	pthread_mutex_unlock(&dlv_pkg_mu);
	if (rc)
		return rc;
	if (sha256_hex && strcmp(sha256_hex, found->package_sha256) != 0) {
		rs_error_msg("packages.corrupt", sha256_hex, found->package_sha256, NULL);
		return RS_ECRYPTO;
	}
	*out = found;
	return 0;
}

const char *dlv_exam_code(const struct dlv_exam *ex)
{
	return ex->exam->id;
}

int dlv_exam_time_limit(const struct dlv_exam *ex)
{
	return ex->exam->time_limit_s;
}

size_t dlv_exam_items(const struct dlv_exam *ex)
{
	return ex->n;
}

int dlv_exam_key_for_tests(const struct dlv_exam *ex, const char *item_id)
{
	long i = cat_bank_find(ex->bank, item_id);
	return i < 0 ? -1 : ex->content[i].key;
}

int dlv_token_new(char *out)
{
	unsigned char rnd[32];
	if (rs_random_bytes(rnd, sizeof rnd) != 0) {
		rs_error_set("no randomness available");
		return RS_EIO;
	}
	rs_b64url_encode(out, rnd, sizeof rnd);
	out[DLV_TOKEN_LEN] = '\0';
	return 0;
}
