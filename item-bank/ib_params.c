/* item-bank: item parameter sets and the JSON params file reader. */
#include "ib_params.h"

#include "cat.h"

#include "ib_data.h"
#include "rs_error.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The model names are the engine's (cat_models); ib_model counts the dichotomous ones in
 * that list's order: rasch, 1pl, 2pl, 3pl. */
const char *ib_model_name(enum ib_model m)
{
	return (unsigned)m <= IB_3PL ? cat_models[m].name : "?";
}

int ib_model_parse(enum ib_model *out, const char *s)
{
	const struct cat_model_word *w = cat_model_lookup(s);
	if (w && w - cat_models <= IB_3PL) {
		*out = (enum ib_model)(w - cat_models);
		return 0;
	}
	rs_error_set("unknown model '%.40s' (rasch, 1pl, 2pl or 3pl)", s ? s : "");
	return RS_EINVAL;
}

double ib_prob(const struct ib_item_par *p, double theta)
{
	return cat_prob_ad(p->a, p->d, p->c, theta);
}

void ib_params_free(struct ib_params *p)
{
	if (!p)
		return;
	if (p->ids)
		for (size_t i = 0; i < p->n; i++)
			free(p->ids[i]);
	free(p->ids);
	free(p->par);
	free(p);
}

long ib_params_find(const struct ib_params *p, const char *id)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->ids[i], id) == 0)
			return (long)i;
	return -1;
}

/* A finite number field, or NAN when absent/null. Returns -1 when present but
 * not a number. */
static int ib_num(json_t *o, const char *k, double *v)
{
	json_t *x = json_object_get(o, k);
	*v = NAN;
	if (!x || json_is_null(x))
		return 0;
	if (!json_is_number(x))
		return -1;
	*v = json_number_value(x);
	return isfinite(*v) ? 0 : -1;
}

int ib_params_parse(struct ib_params **out, const char *buf, size_t len)
{
	int rc = 0;
	json_error_t jerr;
	json_t *root = NULL;
	struct ib_params *p = NULL;
	if (len > IB_MAX_PARAMS_BYTES) {
		rs_error_set("params file is %zu bytes, more than the limit of %zu", len,
		             IB_MAX_PARAMS_BYTES);
		return RS_ETOOBIG;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		rs_error_set("params: line %d: %s", jerr.line, jerr.text);
		return RS_EPARSE;
	}
	json_t *items = json_object_get(root, "items");
	if (!json_is_object(root) || !json_is_array(items)) {
		rs_error_set("params: expected an object with an \"items\" array");
		rc = RS_EPARSE;
		goto done;
	}
	size_t n = json_array_size(items);
	if (n == 0 || n > IB_MAX_ITEMS) {
		rs_error_set("params: \"items\" holds %zu items (1 to %u expected)", n, IB_MAX_ITEMS);
		rc = RS_EINVAL;
		goto done;
	}
	p = calloc(1, sizeof *p);
	if (!p || !(p->ids = calloc(n, sizeof *p->ids)) || !(p->par = calloc(n, sizeof *p->par))) {
		rs_error_set("out of memory reading params");
		rc = RS_ENOMEM;
		goto done;
	}
	p->model = IB_2PL;
	p->loglik = NAN;
	json_t *m = json_object_get(root, "model");
	if (m) {
		if (!json_is_string(m) || ib_model_parse(&p->model, json_string_value(m))) {
			rs_error_set("params: \"model\" must be rasch, 1pl, 2pl or 3pl");
			rc = RS_EINVAL;
			goto done;
		}
	}
	json_t *ll = json_object_get(root, "loglik");
	if (json_is_number(ll))
		p->loglik = json_number_value(ll);
	for (size_t i = 0; i < n; i++) {
		json_t *it = json_array_get(items, i);
		json_t *id = json_object_get(it, "id");
		if (!json_is_object(it) || !json_is_string(id) || json_string_length(id) == 0 ||
		    json_string_length(id) > IB_MAX_ID_LEN) {
			rs_error_set("params: item %zu: needs a string \"id\" of 1 to %u bytes", i + 1,
			             IB_MAX_ID_LEN);
			rc = RS_EINVAL;
			goto done;
		}
		const char *ids = json_string_value(id);
		for (size_t k = 0; k < i; k++) {
			if (strcmp(p->ids[k], ids) == 0) {
				rs_error_set("params: item %zu: id '%s' appears twice", i + 1, ids);
				rc = RS_EINVAL;
				goto done;
			}
		}
		struct ib_item_par *q = &p->par[i];
		double a, b, c, d, sa, sb, sc, cab;
		if (ib_num(it, "a", &a) || ib_num(it, "b", &b) || ib_num(it, "c", &c) ||
		    ib_num(it, "d", &d) || ib_num(it, "se_a", &sa) || ib_num(it, "se_b", &sb) ||
		    ib_num(it, "se_c", &sc) || ib_num(it, "cov_ab", &cab)) {
			rs_error_set("params: item '%s': a, b, c, d and the se_ fields must be numbers",
			             ids);
			rc = RS_EINVAL;
			goto done;
		}
		if (isnan(a))
			a = 1.0;
		if (isnan(c))
			c = 0.0;
		if (isnan(b) && !isnan(d))
			b = -d / a;
		if (!(a > 0 && a <= 20) || isnan(b) || fabs(b) > 20 || !(c >= 0 && c < 1)) {
			rs_error_set("params: item '%s': needs 0 < a <= 20, |b| <= 20 (or d) and 0 <= c < 1",
			             ids);
			rc = RS_ERANGE;
			goto done;
		}
		q->a = a;
		q->b = b;
		q->c = c;
		q->d = -a * b;
		q->se_a = sa;
		q->se_b = sb;
		q->se_c = sc;
		q->cov_ab = cab;
		q->fixed = 1;
		if (!(p->ids[i] = strdup(ids))) {
			rs_error_set("out of memory reading params");
			rc = RS_ENOMEM;
			goto done;
		}
		p->n = i + 1;
	}
done:
	json_decref(root);
	if (rc) {
		ib_params_free(p);
		return rc;
	}
	*out = p;
	return 0;
}

int ib_params_load(struct ib_params **out, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = ib_read_file(&buf, &len, path, IB_MAX_PARAMS_BYTES);
	if (rc)
		return rc;
	rc = ib_params_parse(out, buf, len);
	free(buf);
	if (rc) {
		char msg[600];
		snprintf(msg, sizeof msg, "%s", rs_error_last());
		rs_error_set("%s: %s", path, msg);
	}
	return rc;
}

static json_t *ib_jnum(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

void *ib_params_json(enum ib_model model, double loglik, int iterations, int converged,
                     char *const *ids, const struct ib_item_par *par, size_t n)
{
	json_t *root = json_object(), *items = json_array();
	if (!root || !items)
		goto fail;
	if (json_object_set_new(root, "model", json_string(ib_model_name(model))) ||
	    json_object_set_new(root, "loglik", ib_jnum(loglik)) ||
	    json_object_set_new(root, "iterations", json_integer(iterations)) ||
	    json_object_set_new(root, "converged", json_boolean(converged)))
		goto fail;
	for (size_t j = 0; j < n; j++) {
		const struct ib_item_par *p = &par[j];
		json_t *it = json_object();
		if (!it || json_array_append_new(items, it) ||
		    json_object_set_new(it, "id", json_string(ids[j])) ||
		    json_object_set_new(it, "a", ib_jnum(p->a)) ||
		    json_object_set_new(it, "b", ib_jnum(p->b)) ||
		    json_object_set_new(it, "c", ib_jnum(p->c)) ||
		    json_object_set_new(it, "d", ib_jnum(p->d)) ||
		    json_object_set_new(it, "se_a", ib_jnum(p->se_a)) ||
		    json_object_set_new(it, "se_b", ib_jnum(p->se_b)) ||
		    json_object_set_new(it, "se_c", ib_jnum(p->se_c)) ||
		    json_object_set_new(it, "cov_ab", ib_jnum(p->cov_ab)))
			goto fail;
	}
	if (json_object_set_new(root, "items", items))
		goto fail_root;
	return root;
fail:
	json_decref(items);
fail_root:
	json_decref(root);
	return NULL;
}
