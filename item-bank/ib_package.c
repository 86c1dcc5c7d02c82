/* item-bank: exam packages — building the document from the bank's items (publication) and
 * reading it back verified (every load). SQL lives in store_package.c. */
#include "ib_package.h"
#include "ib_pkg_int.h"

#include "ib_items.h"
#include "ib_store.h"
#include "rs_error.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ib_package_sha256_hex(char *out, const void *data, size_t len)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	static const char hx[] = "0123456789abcdef";
	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
		memset(out, '0', 64); /* never equal to a real digest check below: parse refuses "000..." */
		out[64] = 0;
		return;
	}
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[64] = 0;
}

void ib_package_free(struct ib_package *p)
{
	if (!p)
		return;
	if (p->views)
		for (size_t i = 0; i < p->n; i++)
			json_decref(p->views[i]);
	free(p->views);
	free(p->keys);
	cat_engine_free(p->eng);
	cat_bank_free(p->bank);
	cat_exam_free(p->exam_def);
	free(p);
}

int ib_package_parse(struct ib_package **out, const char *doc, size_t len, const char *sha256_hex)
{
	char got[65];
	int rc = RS_EINVAL;
	json_t *root = NULL;
	struct ib_package *p = NULL;
	if (len > IB_PACKAGE_MAX_BYTES) {
		rs_error_set("package: %zu bytes, over the bound of %zu", len, IB_PACKAGE_MAX_BYTES);
		return RS_ETOOBIG;
	}
	ib_package_sha256_hex(got, doc, len);
	if (!sha256_hex || strcmp(got, sha256_hex) != 0 || strcmp(got, "0000000000000000000000000000000000000000000000000000000000000000") == 0) {
		rs_error_msg("packages.corrupt", sha256_hex ? sha256_hex : "", got, NULL);
		return RS_ECRYPTO;
	}
	json_error_t je;
	root = json_loadb(doc, len, JSON_REJECT_DUPLICATES, &je);
	const char *fmt = json_string_value(json_object_get(root, "format"));
	const char *exam = json_string_value(json_object_get(root, "exam"));
	const char *etext = json_string_value(json_object_get(root, "exam_definition"));
	const char *btext = json_string_value(json_object_get(root, "engine_bank"));
	json_t *views = json_object_get(root, "views"), *keys = json_object_get(root, "keys");
	if (!root || !fmt || strcmp(fmt, IB_PACKAGE_FORMAT) != 0 || json_integer_value(json_object_get(root, "format_version")) != 1 ||
	    !exam || strlen(exam) > 16 || !etext || !btext || !json_is_array(views) || !json_is_array(keys)) {
		rs_error_set("package: not a %s document of format version 1", IB_PACKAGE_FORMAT);
		goto done;
	}
	p = calloc(1, sizeof *p);
	if (!p) {
		rc = RS_ENOMEM;
		goto done;
	}
	memcpy(p->sha256, got, sizeof p->sha256);
	snprintf(p->exam, sizeof p->exam, "%s", exam);
	if (cat_exam_parse(&p->exam_def, etext, strlen(etext)) || cat_bank_parse(&p->bank, btext, strlen(btext)) ||
	    cat_engine_new(&p->eng, p->exam_def, p->bank)) {
		rs_error_set("package: the engine refuses it: %s", cat_error_last());
		goto done;
	}
	p->n = p->bank->n;
	if (json_array_size(views) != p->n || json_array_size(keys) != p->n) {
		rs_error_set("package: %zu views and %zu keys for %zu items", json_array_size(views), json_array_size(keys), p->n);
		goto done;
	}
	p->views = calloc(p->n, sizeof *p->views);
	p->keys = calloc(p->n, sizeof *p->keys);
	if (!p->views || !p->keys) {
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < p->n; i++) {
		json_t *v = json_array_get(views, i), *k = json_array_get(keys, i);
		const char *vid = json_string_value(json_object_get(v, "item_id"));
		if (!vid || strcmp(vid, p->bank->items[i].id) != 0 || !json_is_integer(k) || json_integer_value(k) < 0 ||
		    json_integer_value(k) > 3) {
			rs_error_set("package: item %zu (%s) has no matching view or key", i + 1, p->bank->items[i].id);
			goto done;
		}
		p->views[i] = json_incref(v);
		p->keys[i] = (int)json_integer_value(k);
	}
	snprintf(p->exam_version, sizeof p->exam_version, "%016llx", (unsigned long long)p->exam_def->hash);
	snprintf(p->bank_version, sizeof p->bank_version, "%016llx", (unsigned long long)p->bank->version);
	*out = p;
	p = NULL;
	rc = 0;
done:
	ib_package_free(p);
	json_decref(root);
	return rc;
}

void ib_publish_result_clear(struct ib_publish_result *r)
{
	json_decref(r->skipped);
	r->skipped = NULL;
}

/* The candidate view of an item: stem, options and the shared scenario in both languages. */
static json_t *ib_pkg_text(const struct ib_text *t)
{
	return json_pack("{s:s, s:s}", "ja", t->ja, "en", t->en);
}

static json_t *ib_pkg_view(const struct ib_item *it, const struct ib_itemset *set)
{
	json_t *opts = json_array();
	for (int k = 0; k < 4; k++)
		json_array_append_new(opts, ib_pkg_text(&it->options[k]));
	json_t *v = json_pack("{s:s, s:s, s:o, s:o}", "item_id", it->id, "part", it->part, "stem", ib_pkg_text(&it->stem),
	                      "options", opts);
	long s = it->scenario ? ib_itemset_find_scenario(set, it->scenario) : -1;
	if (v && s >= 0) {
		const struct ib_scenario *sc = &set->scenarios[s];
		json_object_set_new(v, "scenario", json_pack("{s:s, s:o, s:o}", "id", sc->id, "title", ib_pkg_text(&sc->title),
		                                              "passage", ib_pkg_text(&sc->passage)));
	}
	return v;
}

/* A part's or domain's name for a message recorded once and read in either language: the
 * exam's labels in both ("Countermeasures (情報セキュリティ対策)"; one when they are the same),
 * else ident. */
static void ib_pkg_group_name(char *out, size_t n, const struct cat_exam *e, enum cat_feas_kind kind, int index,
                              const char *ident)
{
	const char *ja = cat_group_label(e, kind, index, 0), *en = cat_group_label(e, kind, index, 1);
	if (!ja || !en)
		snprintf(out, n, "%s", ident);
	else if (strcmp(ja, en) == 0)
		snprintf(out, n, "%s", en);
	else
		snprintf(out, n, "%s (%s)", en, ja);
}

/* Operational items per exam domain usable by the engine outside enemy sets; the first domain
 * whose minimum they cannot meet, or -1. */
static int ib_pkg_short_domain(const struct cat_exam *ex, const struct cat_bank *b, int *out_have)
{
	for (int d = 0; d < ex->ndomains; d++) {
		int have = 0;
		const struct cat_part *pt = &ex->parts[ex->domains[d].part];
		for (size_t i = 0; i < b->n; i++) {
			const struct cat_bank_item *it = &b->items[i];
			if (it->status != CAT_OPERATIONAL || it->enemy[0] || strcmp(it->domain, ex->domains[d].name) != 0)
				continue;
			int ok = pt->ntypes == 0;
			for (int k = 0; k < pt->ntypes; k++)
				ok |= strcmp(pt->types[k], it->type) == 0;
			have += ok;
		}
		if (have < ex->domains[d].min) {
			*out_have = have;
			return d;
		}
	}
	return -1;
}

int ib_pkg_build(struct ib_pkg_doc *out, const struct ib_itemset *set, const struct ib_pub_item *pub, size_t n,
                 const struct ib_publish_opts *o, const char *publisher, const char *published_at,
                 struct ib_publish_result *res)
{
	int rc = RS_EINVAL;
	struct cat_exam *exam = NULL;
	struct cat_bank *bank = NULL;
	struct cat_engine *eng = NULL;
	struct cat_bank_item *bi = calloc(n ? n : 1, sizeof *bi);
	const struct ib_item **src = calloc(n ? n : 1, sizeof *src);
	char *btext = NULL, *doc = NULL;
	size_t blen = 0, nb = 0;
	json_t *root = NULL;
	FILE *mf = NULL;
	memset(res, 0, sizeof *res);
	res->skipped = json_array();
	if (!bi || !src || !res->skipped) {
		rc = RS_ENOMEM;
		goto done;
	}
	if (cat_exam_parse(&exam, o->exam_text, o->exam_len)) {
		rs_error_msg("packages.exam_bad", cat_error_last(), NULL);
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ib_pub_item *it = &pub[i];
		int pre = strcmp(it->status, "pretest") == 0;
		long k = ib_itemset_find_item(set, it->id);
		if (k < 0) {
			rs_error_set("package: item %s is not in the bank's export", it->id);
			goto done;
		}
		if (!it->has_params) {
			if (!pre) {
				rs_error_msg("packages.no_params", it->id, NULL);
				goto done;
			}
			json_array_append_new(res->skipped, json_string(it->id));
			continue;
		}
		const struct cat_sg_domain *sd = cat_sg_exam_domain(it->domain, it->part);
		int have = 0;
		for (int d = 0; sd && d < exam->ndomains; d++)
			have |= strcmp(exam->domains[d].name, sd->name) == 0;
		if (!have) {
			rs_error_msg("packages.domain_unknown", it->id, it->domain, exam->id, NULL);
			goto done;
		}
		struct cat_bank_item *b = &bi[nb];
		if (strlen(it->id) >= sizeof b->id) {
			rs_error_set("package: item id %s is longer than the engine's %zu bytes", it->id, sizeof b->id - 1);
			goto done;
		}
		snprintf(b->id, sizeof b->id, "%s", it->id);
		snprintf(b->domain, sizeof b->domain, "%s", sd->name);
		snprintf(b->part, sizeof b->part, "%s", sd->part);
		snprintf(b->type, sizeof b->type, "%s", sd->type);
		snprintf(b->enemy, sizeof b->enemy, "%s", it->enemy_set);
		b->status = pre ? CAT_PRETEST : CAT_OPERATIONAL;
		b->sh_k = 1.0;
		const struct cat_model_word *mw = cat_model_lookup(it->params.model);
		b->irt = (struct cat_item){ .model = mw ? mw->model : CAT_1PL, .a = it->params.a, .b = it->params.b,
		                            .c = mw && mw->model == CAT_3PL ? it->params.c : 0.0, .D = 1.0, .nsteps = 1 };
		src[nb++] = &set->items[k];
		if (pre)
			res->pretest++;
		else
			res->operational++;
	}
	res->items = nb;
	if (nb == 0) {
		rs_error_msg("packages.empty", exam->id, NULL);
		goto done;
	}
	if ((rc = cat_bank_build(&bank, bi, nb)) != 0) {
		rs_error_msg("packages.engine_refuses", cat_error_last(), NULL);
		rc = RS_EINVAL;
		goto done;
	}
	rc = RS_EINVAL;
	int have = 0, d = ib_pkg_short_domain(exam, bank, &have);
	if (d >= 0) {
		char need[16], got[16];
		snprintf(need, sizeof need, "%d", exam->domains[d].min);
		snprintf(got, sizeof got, "%d", have);
		char label[2 * CAT_LABEL_MAX + 8];
		ib_pkg_group_name(label, sizeof label, exam, CAT_FEAS_DOMAIN, d, exam->domains[d].name);
		rs_error_msg("packages.blueprint_short", label, need, got, exam->id, NULL);
		goto done;
	}
	if (cat_engine_new(&eng, exam, bank)) {
		rs_error_msg("packages.blueprint", exam->id, cat_error_last(), NULL);
		goto done;
	}
	if (exam->exposure_target > 0) {
		cat_exposure_feasibility(&res->feasibility, eng, exam->exposure_target);
		if (!res->feasibility.feasible && o->strict) {
			for (int g = 0; g < res->feasibility.ngroups; g++) {
				const struct cat_feas_group *fg = &res->feasibility.group[g];
				if (!fg->thin)
					continue;
				char t[16], need[16], hv[16];
				snprintf(t, sizeof t, "%.2f", exam->exposure_target);
				snprintf(need, sizeof need, "%d", fg->have_needed);
				snprintf(hv, sizeof hv, "%d", fg->have);
				char name[2 * CAT_LABEL_MAX + 8];
				ib_pkg_group_name(name, sizeof name, exam, fg->kind, fg->index, fg->name);
				rs_error_msg("packages.exposure_thin", name, t, need, hv, NULL);
				goto done;
			}
		}
	}
	/* sympson-hetter-conditional too: the same procedure writes the per-stratum sh_kc */
	if (exam->exposure == CAT_EXPO_SH || exam->exposure == CAT_EXPO_SH_COND) {
		struct cat_sh_opts so = { .examinees = o->sh_examinees ? o->sh_examinees : 1000,
		                          .max_rounds = o->sh_rounds ? o->sh_rounds : 6, .margin = 0.02,
		                          .seed = o->sh_seed ? o->sh_seed : 1 };
		if (exam->exposure_target - so.margin <= 0.001)
			so.margin = 0;
		if (cat_sh_calibrate(&res->sh, bank, eng, &so)) {
			rs_error_set("package: sympson-hetter: %s", cat_error_last());
			goto done;
		}
	}
	snprintf(res->bank_version, sizeof res->bank_version, "%016llx", (unsigned long long)bank->version);
	/* The engine bank text, with the Sympson-Hetter parameters. */
	mf = open_memstream(&btext, &blen);
	if (!mf) {
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < bank->n; i++) {
		char line[CAT_BANK_MAX_LINE];
		int l = cat_bank_item_format(line, sizeof line, &bank->items[i]);
		if (l < 0 || fwrite(line, 1, (size_t)l, mf) != (size_t)l) {
			rs_error_set("package: item %s does not fit a bank line", bank->items[i].id);
			goto done;
		}
	}
	if (fclose(mf) != 0) {
		mf = NULL;
		rc = RS_ENOMEM;
		goto done;
	}
	mf = NULL;
	json_t *views = json_array(), *keys = json_array();
	for (size_t i = 0; i < nb; i++) {
		json_array_append_new(views, ib_pkg_view(src[i], set));
		json_array_append_new(keys, json_integer(src[i]->key));
	}
	char ev[17];
	snprintf(ev, sizeof ev, "%016llx", (unsigned long long)exam->hash);
	root = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:{s:s, s:f, s:i, s:f, s:b}, s:s, s:s}",
	                 "format", IB_PACKAGE_FORMAT, "format_version", 1, "exam", exam->id, "exam_version", ev,
	                 "bank_version", res->bank_version, "exam_definition", o->exam_text, "engine_bank", btext,
	                 "views", views, "keys", keys, "sympson_hetter", "method",
	                 exam->exposure == CAT_EXPO_SH        ? "sympson-hetter"
	                 : exam->exposure == CAT_EXPO_SH_COND ? "sympson-hetter-conditional"
	                                                      : "none",
	                 "target", exam->exposure_target,
	                 "rounds", res->sh.rounds, "max_exposure", res->sh.max_exposure, "reached", res->sh.reached,
	                 "publisher", publisher, "published_at", published_at);
	if (!root || !(doc = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)))) {
		rs_error_set("package: cannot write the document (out of memory, or text that is not UTF-8)");
		rc = RS_ENOMEM;
		goto done;
	}
	out->doc = doc;
	out->len = strlen(doc);
	snprintf(out->exam, sizeof out->exam, "%.16s", exam->id);
	snprintf(out->exam_version, sizeof out->exam_version, "%s", ev);
	snprintf(out->bank_version, sizeof out->bank_version, "%s", res->bank_version);
	out->n_items = nb;
	ib_package_sha256_hex(out->sha256, doc, out->len);
	memcpy(res->sha256, out->sha256, sizeof res->sha256);
	doc = NULL;
	rc = 0;
done:
	if (mf)
		fclose(mf);
	json_decref(root);
	free(doc);
	free(btext);
	free(bi);
	free(src);
	cat_engine_free(eng);
	cat_bank_free(bank);
	cat_exam_free(exam);
	return rc;
}

/* Compare two loaded packages. */
static json_t *ib_pkg_params(const struct cat_bank_item *it)
{
	return json_pack("{s:s, s:f, s:f, s:f, s:f}", "model", cat_model_name(it->irt.model, false), "a", it->irt.a, "b",
	                 it->irt.b, "c", it->irt.c, "sh_k", it->sh_k);
}

json_t *ib_pkg_compare(const struct ib_package *a, const struct ib_package *b)
{
	json_t *added = json_array(), *removed = json_array(), *changed = json_array(), *content = json_array();
	for (size_t i = 0; i < a->n; i++) {
		long j = cat_bank_find(b->bank, a->bank->items[i].id);
		if (j < 0) {
			json_array_append_new(removed, json_string(a->bank->items[i].id));
			continue;
		}
		const struct cat_bank_item *x = &a->bank->items[i], *y = &b->bank->items[j];
		if (x->irt.model != y->irt.model || x->irt.a != y->irt.a || x->irt.b != y->irt.b || x->irt.c != y->irt.c ||
		    x->sh_k != y->sh_k || x->status != y->status || x->nkc != y->nkc ||
		    memcmp(x->sh_kc, y->sh_kc, sizeof x->sh_kc) != 0)
			json_array_append_new(changed, json_pack("{s:s, s:o, s:o}", "id", x->id, "from", ib_pkg_params(x), "to",
			                                         ib_pkg_params(y)));
		if (a->keys[i] != b->keys[j] || !json_equal(a->views[i], b->views[j]))
			json_array_append_new(content, json_string(x->id));
	}
	for (size_t j = 0; j < b->n; j++)
		if (cat_bank_find(a->bank, b->bank->items[j].id) < 0)
			json_array_append_new(added, json_string(b->bank->items[j].id));
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:o, s:b}", "from", (json_int_t)a->id, "to", (json_int_t)b->id, "added",
	                 added, "removed", removed, "parameters_changed", changed, "content_changed", content,
	                 "exam_changed", a->exam_def->hash != b->exam_def->hash);
}
