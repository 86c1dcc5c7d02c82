/* exam-engine: the exam definition (JSON, docs/exam-format.md): parse and validate. */
#include "cat_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cat_exam_names(const struct cat_json *j, const struct cat_jnode *arr, char (*out)[CAT_NAME_MAX],
                          int max, int *n, const char *ctx)
{
	if (!arr)
		return 0;
	if (arr->type != CAT_JARR || arr->count > max) {
		cat_error_set("%s: must be an array of at most %d strings", ctx, max);
		return CAT_EINVAL;
	}
	for (int i = 0; i < arr->count; i++) {
		const struct cat_jnode *v = cat_json_child(j, arr, i);
		if (v->type != CAT_JSTR || strlen(v->str) == 0 || strlen(v->str) >= CAT_NAME_MAX) {
			cat_error_set("%s: entries must be non-empty strings under %d bytes", ctx, CAT_NAME_MAX);
			return CAT_EINVAL;
		}
		memcpy(out[i], v->str, strlen(v->str) + 1);
	}
	*n = arr->count;
	return 0;
}

/* A group's "label": {"ja": ..., "en": ...} (both required, non-empty), or one string as
 * older files have it (the same text in both languages); absent leaves both "". */
static int cat_exam_label(const struct cat_json *j, const struct cat_jnode *group, char *ja, char *en,
                          const char *ctx)
{
	const struct cat_jnode *l = cat_json_get(j, group, "label");
	if (!l || l->type == CAT_JNULL)
		return 0;
	if (l->type == CAT_JSTR) {
		if (cat_jstr(j, group, "label", false, en, CAT_LABEL_MAX, ctx))
			return CAT_EINVAL;
		memcpy(ja, en, CAT_LABEL_MAX);
		return 0;
	}
	if (l->type != CAT_JOBJ) {
		cat_error_set("%s: \"label\" must be a string or {\"ja\": text, \"en\": text}", ctx);
		return CAT_EINVAL;
	}
	char lctx[80];
	snprintf(lctx, sizeof lctx, "%s label", ctx);
	if (cat_jstr(j, l, "ja", true, ja, CAT_LABEL_MAX, lctx) || cat_jstr(j, l, "en", true, en, CAT_LABEL_MAX, lctx))
		return CAT_EINVAL;
	if (!ja[0] || !en[0]) {
		cat_error_set("%s: \"label\" needs a Japanese and an English text", ctx);
		return CAT_EINVAL;
	}
	return 0;
}

static int cat_exam_from_json(struct cat_exam *e, const struct cat_json *j)
{
	const struct cat_jnode *o = &j->nodes[0], *s;
	char buf[CAT_NAME_MAX];
	if (o->type != CAT_JOBJ) {
		cat_error_set("exam: the document must be a JSON object");
		return CAT_EINVAL;
	}
	if (cat_jstr(j, o, "id", true, e->id, sizeof e->id, "exam") ||
	    cat_jstr(j, o, "title", false, e->title, sizeof e->title, "exam") ||
	    cat_jstr(j, o, "version", true, e->version, sizeof e->version, "exam"))
		return CAT_EINVAL;
	int minutes = 0;
	if (cat_jint(j, o, "time_limit_minutes", false, 0, 24 * 60, &minutes, "exam"))
		return CAT_EINVAL;
	e->time_limit_s = minutes * 60;
	if (cat_jint(j, o, "pretest_items", false, 0, 50, &e->pretest_items, "exam"))
		return CAT_EINVAL;

	s = cat_json_get(j, o, "length");
	if (!s || s->type != CAT_JOBJ) {
		cat_error_set("exam: missing \"length\" object {\"min\", \"max\"}");
		return CAT_EINVAL;
	}
	if (cat_jint(j, s, "min", true, 1, 500, &e->min_items, "exam length") ||
	    cat_jint(j, s, "max", true, 1, 500, &e->max_items, "exam length"))
		return CAT_EINVAL;
	if (e->min_items > e->max_items) {
		cat_error_set("exam length: min %d is above max %d", e->min_items, e->max_items);
		return CAT_EINVAL;
	}

	s = cat_json_get(j, o, "stopping");
	if (s) {
		if (s->type != CAT_JOBJ) {
			cat_error_set("exam: \"stopping\" must be an object");
			return CAT_EINVAL;
		}
		const struct cat_jnode *ci = cat_json_get(j, s, "ci_rule");
		if (ci && ci->type != CAT_JTRUE && ci->type != CAT_JFALSE) {
			cat_error_set("exam stopping: \"ci_rule\" must be true or false");
			return CAT_EINVAL;
		}
		e->ci_rule = ci && ci->type == CAT_JTRUE;
		if (cat_jnum(j, s, "se_target", false, &e->se_target, "exam stopping") ||
		    cat_jnum(j, s, "ci_z", false, &e->ci_z, "exam stopping"))
			return CAT_EINVAL;
		if (e->se_target < 0 || e->se_target > 5 || !(e->ci_z > 0 && e->ci_z < 10)) {
			cat_error_set("exam stopping: se_target must be in [0, 5] and ci_z in (0, 10)");
			return CAT_EINVAL;
		}
		const struct cat_jnode *sp = cat_json_get(j, s, "sprt");
		if (sp) {
			if (sp->type != CAT_JOBJ) {
				cat_error_set("exam stopping: \"sprt\" must be an object {\"delta\", \"alpha\", \"beta\"}");
				return CAT_EINVAL;
			}
			e->sprt = true;
			e->sprt_delta = 0.2;
			e->sprt_alpha = e->sprt_beta = 0.05;
			if (cat_jnum(j, sp, "delta", false, &e->sprt_delta, "exam stopping sprt") ||
			    cat_jnum(j, sp, "alpha", false, &e->sprt_alpha, "exam stopping sprt") ||
			    cat_jnum(j, sp, "beta", false, &e->sprt_beta, "exam stopping sprt"))
				return CAT_EINVAL;
			if (!(e->sprt_delta > 0 && e->sprt_delta <= 2) || !(e->sprt_alpha > 0 && e->sprt_alpha < 0.5) ||
			    !(e->sprt_beta > 0 && e->sprt_beta < 0.5)) {
				cat_error_set("exam stopping sprt: need delta in (0, 2], alpha and beta in (0, 0.5)");
				return CAT_EINVAL;
			}
		}
	}

	s = cat_json_get(j, o, "estimation");
	if (s) {
		if (s->type != CAT_JOBJ) {
			cat_error_set("exam: \"estimation\" must be an object");
			return CAT_EINVAL;
		}
		buf[0] = 0;
		if (cat_jstr(j, s, "final", false, buf, sizeof buf, "exam estimation"))
			return CAT_EINVAL;
		if (buf[0] && cat_method_parse(&e->final_method, buf)) {
			cat_error_set("exam estimation: \"final\" must be eap, map, mle or wle");
			return CAT_EINVAL;
		}
		if (cat_jint(j, s, "quad_points", false, 5, 256, &e->est.quad_points, "exam estimation") ||
		    cat_jnum(j, s, "quad_lo", false, &e->est.quad_lo, "exam estimation") ||
		    cat_jnum(j, s, "quad_hi", false, &e->est.quad_hi, "exam estimation") ||
		    cat_jnum(j, s, "prior_mean", false, &e->est.prior_mean, "exam estimation") ||
		    cat_jnum(j, s, "prior_sd", false, &e->est.prior_sd, "exam estimation") ||
		    cat_jnum(j, s, "theta_min", false, &e->est.theta_min, "exam estimation") ||
		    cat_jnum(j, s, "theta_max", false, &e->est.theta_max, "exam estimation"))
			return CAT_EINVAL;
		struct cat_quad q;
		if (cat_quad_init(&q, &e->est) || !(e->est.theta_min < e->est.theta_max) ||
		    fabs(e->est.quad_lo) > 20 || fabs(e->est.quad_hi) > 20 ||
		    fabs(e->est.theta_min) > 20 || fabs(e->est.theta_max) > 20) {
			cat_error_set("exam estimation: need lo < hi within [-20, 20], prior_sd > 0, theta_min < theta_max");
			return CAT_EINVAL;
		}
	}

	s = cat_json_get(j, o, "exposure");
	if (s) {
		if (s->type != CAT_JOBJ) {
			cat_error_set("exam: \"exposure\" must be an object");
			return CAT_EINVAL;
		}
		buf[0] = 0;
		if (cat_jstr(j, s, "method", true, buf, sizeof buf, "exam exposure"))
			return CAT_EINVAL;
		if (strcmp(buf, "none") == 0) e->exposure = CAT_EXPO_NONE;
		else if (strcmp(buf, "randomesque") == 0) e->exposure = CAT_EXPO_RANDOMESQUE;
		else if (strcmp(buf, "sympson-hetter") == 0) e->exposure = CAT_EXPO_SH;
		else if (strcmp(buf, "sympson-hetter-conditional") == 0) e->exposure = CAT_EXPO_SH_COND;
		else {
			cat_error_set("exam exposure: method must be none, randomesque, sympson-hetter or "
			              "sympson-hetter-conditional");
			return CAT_EINVAL;
		}
		if (cat_jnum(j, s, "target", false, &e->exposure_target, "exam exposure") ||
		    cat_jint(j, s, "randomesque_k", false, 1, 100, &e->randomesque_k, "exam exposure") ||
		    cat_jint(j, s, "reserve_forms", false, 0, CAT_MAX_FORMS, &e->reserve_forms, "exam exposure"))
			return CAT_EINVAL;
		if (!(e->exposure_target > 0 && e->exposure_target <= 1)) {
			cat_error_set("exam exposure: target must be in (0, 1]");
			return CAT_EINVAL;
		}
		const struct cat_jnode *ts = cat_json_get(j, s, "theta_strata");
		if (ts) { /* conditional Sympson-Hetter: the rising thetas that cut the strata */
			if (ts->type != CAT_JARR || ts->count < 1 || ts->count > CAT_SH_MAX_STRATA - 1) {
				cat_error_set("exam exposure: \"theta_strata\" must list 1..%d rising thetas", CAT_SH_MAX_STRATA - 1);
				return CAT_EINVAL;
			}
			for (int k = 0; k < ts->count; k++) {
				const struct cat_jnode *v = cat_json_child(j, ts, k);
				if (v->type != CAT_JNUM || !(fabs(v->num) <= 10) || (k && !(v->num > e->sh_cuts[k - 1]))) {
					cat_error_set("exam exposure: \"theta_strata\" must list rising thetas within [-10, 10]");
					return CAT_EINVAL;
				}
				e->sh_cuts[k] = v->num;
			}
			e->sh_nstrata = ts->count + 1;
		}
	}

	s = cat_json_get(j, o, "selection");
	if (s) {
		if (s->type != CAT_JOBJ) {
			cat_error_set("exam: \"selection\" must be an object");
			return CAT_EINVAL;
		}
		buf[0] = 0;
		if (cat_jstr(j, s, "method", false, buf, sizeof buf, "exam selection"))
			return CAT_EINVAL;
		if (buf[0] == 0 || strcmp(buf, "max-info") == 0) e->selection = CAT_SEL_MFI;
		else if (strcmp(buf, "a-stratified") == 0) e->selection = CAT_SEL_ASTR;
		else {
			cat_error_set("exam selection: method must be max-info or a-stratified");
			return CAT_EINVAL;
		}
		buf[0] = 0;
		if (cat_jstr(j, s, "at", false, buf, sizeof buf, "exam selection"))
			return CAT_EINVAL;
		if (buf[0] && strcmp(buf, "cut") != 0 && strcmp(buf, "estimate") != 0) {
			cat_error_set("exam selection: \"at\" must be estimate or cut");
			return CAT_EINVAL;
		}
		e->select_at_cut = strcmp(buf, "cut") == 0;
		if (cat_jnum(j, s, "near_cut_z", false, &e->near_cut_z, "exam selection") ||
		    cat_jnum(j, s, "near_cut_se", false, &e->near_cut_se, "exam selection"))
			return CAT_EINVAL;
		if (!(e->near_cut_z >= 0 && e->near_cut_z <= 10) || !(e->near_cut_se >= 0 && e->near_cut_se <= 10)) {
			cat_error_set("exam selection: near_cut_z and near_cut_se must be in [0, 10]");
			return CAT_EINVAL;
		}
		if (cat_jint(j, s, "strata", false, 1, CAT_MAX_STRATA, &e->strata, "exam selection") ||
		    cat_jint(j, s, "near_cut_after", false, 0, 500, &e->near_cut_after, "exam selection") ||
		    cat_jint(j, s, "start_random_items", false, 0, 50, &e->start_items, "exam selection") ||
		    cat_jint(j, s, "start_set", false, 1, 1000, &e->start_set, "exam selection") ||
		    cat_jint(j, s, "stratum_set", false, 1, 1000, &e->stratum_set, "exam selection"))
			return CAT_EINVAL;
		const struct cat_jnode *lm = cat_json_get(j, s, "last_stratum_max_info");
		if (lm && lm->type != CAT_JTRUE && lm->type != CAT_JFALSE) {
			cat_error_set("exam selection: \"last_stratum_max_info\" must be true or false");
			return CAT_EINVAL;
		}
		e->last_stratum_max_info = lm && lm->type == CAT_JTRUE;
		const struct cat_jnode *si = cat_json_get(j, s, "stratum_items");
		if (si) {
			if (si->type != CAT_JARR || si->count != e->strata) {
				cat_error_set("exam selection: \"stratum_items\" must list one count per stratum (%d)", e->strata);
				return CAT_EINVAL;
			}
			for (int k = 0; k < si->count; k++) {
				const struct cat_jnode *v = cat_json_child(j, si, k);
				if (v->type != CAT_JNUM || v->num < 0 || v->num > 500 || v->num != (int)v->num) {
					cat_error_set("exam selection: \"stratum_items\" entries must be whole numbers in 0..500");
					return CAT_EINVAL;
				}
				e->stratum_items[k] = (int)v->num;
			}
		}
	}

	s = cat_json_get(j, o, "scale");
	if (!s || s->type != CAT_JOBJ) {
		cat_error_set("exam: missing \"scale\" object");
		return CAT_EINVAL;
	}
	if (cat_jnum(j, s, "cut_theta", true, &e->cut_theta, "exam scale") ||
	    cat_jnum(j, s, "slope", true, &e->scale_slope, "exam scale") ||
	    cat_jint(j, s, "cut", false, 1, 100000, &e->scale_cut, "exam scale") ||
	    cat_jint(j, s, "min", false, 0, 100000, &e->scale_min, "exam scale") ||
	    cat_jint(j, s, "max", false, 1, 100000, &e->scale_max, "exam scale") ||
	    cat_jnum(j, s, "band_width", false, &e->band_width, "exam scale"))
		return CAT_EINVAL;
	if (!(e->scale_slope > 0) || fabs(e->cut_theta) > 5 || !(e->scale_min < e->scale_cut && e->scale_cut < e->scale_max) ||
	    !(e->band_width >= 0 && e->band_width < 10)) {
		cat_error_set("exam scale: need slope > 0, |cut_theta| <= 5, min < cut < max, band_width in [0, 10)");
		return CAT_EINVAL;
	}

	/* Blueprint: parts, then domains that each belong to one part. */
	s = cat_json_get(j, o, "parts");
	if (!s || s->type != CAT_JARR || s->count < 1 || s->count > CAT_MAX_PARTS) {
		cat_error_set("exam: \"parts\" must be an array of 1..%d parts", CAT_MAX_PARTS);
		return CAT_EINVAL;
	}
	e->nparts = s->count;
	for (int i = 0; i < s->count; i++) {
		const struct cat_jnode *p = cat_json_child(j, s, i);
		struct cat_part *pt = &e->parts[i];
		char ctx[64];
		snprintf(ctx, sizeof ctx, "exam part %d", i + 1);
		if (p->type != CAT_JOBJ) {
			cat_error_set("%s: must be an object", ctx);
			return CAT_EINVAL;
		}
		pt->max = e->max_items;
		if (cat_jstr(j, p, "name", true, pt->name, sizeof pt->name, ctx) ||
		    cat_jint(j, p, "min", false, 0, 500, &pt->min, ctx) ||
		    cat_jint(j, p, "max", false, 0, 500, &pt->max, ctx) ||
		    cat_jint(j, p, "trial", false, 0, 50, &pt->trial, ctx) ||
		    cat_exam_label(j, p, pt->label_ja, pt->label_en, ctx) ||
		    cat_exam_names(j, cat_json_get(j, p, "types"), pt->types, CAT_MAX_TYPES, &pt->ntypes, ctx))
			return CAT_EINVAL;
		if (pt->min > pt->max || pt->name[0] == 0) {
			cat_error_set("%s: needs a name and min <= max", ctx);
			return CAT_EINVAL;
		}
		for (int k = 0; k < i; k++)
			if (strcmp(e->parts[k].name, pt->name) == 0) {
				cat_error_set("exam: part \"%s\" listed twice", pt->name);
				return CAT_EINVAL;
			}
	}
	s = cat_json_get(j, o, "domains");
	if (!s || s->type != CAT_JARR || s->count < 1 || s->count > CAT_MAX_DOMAINS) {
		cat_error_set("exam: \"domains\" must be an array of 1..%d domains", CAT_MAX_DOMAINS);
		return CAT_EINVAL;
	}
	e->ndomains = s->count;
	for (int i = 0; i < s->count; i++) {
		const struct cat_jnode *p = cat_json_child(j, s, i);
		struct cat_domain *d = &e->domains[i];
		char ctx[64];
		snprintf(ctx, sizeof ctx, "exam domain %d", i + 1);
		if (p->type != CAT_JOBJ) {
			cat_error_set("%s: must be an object", ctx);
			return CAT_EINVAL;
		}
		d->max = e->max_items;
		if (cat_jstr(j, p, "name", true, d->name, sizeof d->name, ctx) ||
		    cat_exam_label(j, p, d->label_ja, d->label_en, ctx) ||
		    cat_jstr(j, p, "part", true, buf, sizeof buf, ctx) ||
		    cat_jint(j, p, "min", false, 0, 500, &d->min, ctx) ||
		    cat_jint(j, p, "max", false, 0, 500, &d->max, ctx))
			return CAT_EINVAL;
		d->part = -1;
		for (int k = 0; k < e->nparts; k++)
			if (strcmp(e->parts[k].name, buf) == 0)
				d->part = k;
		if (d->part < 0) {
			cat_error_set("%s: part \"%s\" is not among \"parts\"", ctx, buf);
			return CAT_EINVAL;
		}
		if (d->min > d->max || d->name[0] == 0) {
			cat_error_set("%s: needs a name and min <= max", ctx);
			return CAT_EINVAL;
		}
		for (int k = 0; k < i; k++)
			if (strcmp(e->domains[k].name, d->name) == 0) {
				cat_error_set("exam: domain \"%s\" listed twice", d->name);
				return CAT_EINVAL;
			}
	}
	/* The blueprint must be consistent in itself (whether a bank can fill it is checked
	 * when the exam is bound to a bank). */
	int summin = 0, summax = 0;
	for (int p = 0; p < e->nparts; p++) {
		int dmin = 0, dmax = 0;
		for (int d = 0; d < e->ndomains; d++)
			if (e->domains[d].part == p) {
				dmin += e->domains[d].min;
				dmax += e->domains[d].max;
			}
		if (dmin > e->parts[p].max || dmax < e->parts[p].min) {
			cat_error_set("exam blueprint: part \"%s\" allows %d..%d items but its domains need %d..%d",
			              e->parts[p].name, e->parts[p].min, e->parts[p].max, dmin, dmax);
			return CAT_EINVAL;
		}
		summin += dmin > e->parts[p].min ? dmin : e->parts[p].min;
		summax += dmax < e->parts[p].max ? dmax : e->parts[p].max;
	}
	if (summin > e->max_items || summax < e->min_items) {
		cat_error_set("exam blueprint: parts need %d..%d items, outside the length %d..%d",
		              summin, summax, e->min_items, e->max_items);
		return CAT_EINVAL;
	}
	int trials = 0;
	for (int p = 0; p < e->nparts; p++)
		trials += e->parts[p].trial;
	if (trials && trials != e->pretest_items) {
		cat_error_set("exam blueprint: the parts' trial items add up to %d, pretest_items is %d", trials, e->pretest_items);
		return CAT_EINVAL;
	}
	int total = 0;
	if (cat_jint(j, o, "total_items", false, 1, 1000, &total, "exam"))
		return CAT_EINVAL;
	if (total && (e->min_items != e->max_items || total != e->max_items + e->pretest_items)) {
		cat_error_set("exam: total_items %d needs a fixed length with length + pretest_items = %d", total,
		              e->max_items + e->pretest_items);
		return CAT_EINVAL;
	}
	if (e->selection == CAT_SEL_ASTR) {
		int sum = 0;
		for (int k = 0; k < e->strata; k++)
			sum += e->stratum_items[k];
		if (sum == 0) /* default: the maximum length in equal stages */
			for (int k = 0; k < e->strata; k++)
				sum += e->stratum_items[k] = e->max_items * (k + 1) / e->strata - e->max_items * k / e->strata;
		if (sum != e->max_items) {
			cat_error_set("exam selection: \"stratum_items\" add up to %d, the maximum length is %d", sum, e->max_items);
			return CAT_EINVAL;
		}
	}
	if (e->start_items > 0 && e->start_set < 2) {
		cat_error_set("exam selection: start_random_items needs start_set >= 2");
		return CAT_EINVAL;
	}
	if (e->reserve_forms > 0 && !(e->near_cut_z > 0)) {
		cat_error_set("exam exposure: reserve_forms needs selection.near_cut_z > 0 (who is near the cut)");
		return CAT_EINVAL;
	}
	if (e->exposure == CAT_EXPO_RANDOMESQUE && e->randomesque_k < 1) {
		cat_error_set("exam exposure: randomesque needs randomesque_k >= 1");
		return CAT_EINVAL;
	}
	return 0;
}

int cat_exam_parse(struct cat_exam **out, const char *text, size_t len)
{
	struct cat_json j;
	struct cat_exam *e = NULL;
	int rc;
	memset(&j, 0, sizeof j);
	if (len > CAT_EXAM_MAX_BYTES) {
		cat_error_set("exam: file larger than %u bytes", CAT_EXAM_MAX_BYTES);
		return CAT_ETOOBIG;
	}
	if ((rc = cat_json_parse(&j, text, len)) != 0) {
		char msg[200];
		snprintf(msg, sizeof msg, "%s", cat_error_last());
		cat_error_set("exam: %s", msg);
		goto done;
	}
	e = calloc(1, sizeof *e);
	if (!e) {
		rc = CAT_ENOMEM;
		cat_error_set("exam: out of memory");
		goto done;
	}
	cat_est_opts_default(&e->est);
	e->final_method = CAT_EAP;
	e->ci_z = 1.96;
	e->exposure = CAT_EXPO_NONE;
	e->exposure_target = 1.0;
	e->sh_nstrata = 5; /* conditional SH strata: cut at -1.5, -0.5, 0.5, 1.5 */
	for (int k = 0; k < 4; k++)
		e->sh_cuts[k] = -1.5 + k;
	e->randomesque_k = 1;
	e->scale_cut = 600;
	e->scale_min = 0;
	e->scale_max = 1000;
	e->band_width = 1.0;
	e->selection = CAT_SEL_MFI;
	e->strata = 1;
	e->start_set = 1;
	e->stratum_set = 1;
	if ((rc = cat_exam_from_json(e, &j)) != 0)
		goto done;
	e->hash = cat_fnv1a(CAT_FNV_INIT, text, len);
	*out = e;
	e = NULL;
done:
	free(e);
	cat_json_free(&j);
	return rc;
}

void cat_exam_free(struct cat_exam *exam) { free(exam); }

const char *cat_group_label(const struct cat_exam *e, enum cat_feas_kind kind, int index, int en)
{
	const char *l = NULL;
	if (kind == CAT_FEAS_PART && index >= 0 && index < e->nparts)
		l = en ? e->parts[index].label_en : e->parts[index].label_ja;
	else if (kind == CAT_FEAS_DOMAIN && index >= 0 && index < e->ndomains)
		l = en ? e->domains[index].label_en : e->domains[index].label_ja;
	return l && l[0] ? l : NULL;
}

int cat_scale(const struct cat_exam *e, double theta)
{
	double v = e->scale_cut + e->scale_slope * (theta - e->cut_theta);
	if (!(v == v)) v = e->scale_min;
	if (v < e->scale_min) v = e->scale_min;
	if (v > e->scale_max) v = e->scale_max;
	int s = (int)floor(v + 0.5);
	if (theta < e->cut_theta && s >= e->scale_cut)
		s = e->scale_cut - 1;
	if (theta >= e->cut_theta && s < e->scale_cut)
		s = e->scale_cut;
	return s;
}
