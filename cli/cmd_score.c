/* riss score: estimate each person's ability (EAP, MAP, MLE or WLE, with SE) from a wide
 * response table and item parameters (an engine bank or `riss calibrate --json` output). */
#include "cli.h"
#include "rs_error.h"
#include "rs_util.h"

#include "cat.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLI_SCORE_MAX_PARAMS (64u << 20)
#define CLI_SCORE_MAX_LINE (1u << 20)
#define CLI_SCORE_MAX_COLS 20000
#define CLI_SCORE_MAX_ROWS 5000000

struct cli_score_item {
	char id[CAT_ID_MAX];
	struct cat_item irt;
};

static char *cli_score_slurp(const char *path, size_t max, size_t *out_len)
{
	char *buf = NULL;
	int rc = rs_read_file(&buf, out_len, path, max);
	if (rc == RS_ETOOBIG)
		errno = EFBIG;
	return rc == 0 ? buf : NULL;
}

/* Parameters from a `riss calibrate --json` document. */
static int cli_score_params_json(struct cli_score_item **out, size_t *out_n, const char *text, size_t len, char *err, size_t ecap)
{
	json_error_t je;
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je), *items;
	struct cli_score_item *v = NULL;
	enum cat_model model = CAT_2PL;
	int rc = -1;
	if (!doc || !json_is_object(doc)) {
		snprintf(err, ecap, "params: not a JSON object (%s)", doc ? "wrong type" : je.text);
		goto done;
	}
	json_t *m = json_object_get(doc, "model");
	if (m) {
		const char *ms = json_string_value(m);
		if (!ms) { snprintf(err, ecap, "params: \"model\" must be a string"); goto done; }
		const struct cat_model_word *mw = cat_model_lookup(ms);
		if (!mw || mw->model == CAT_GPCM) { snprintf(err, ecap, "params: unknown model \"%.20s\"", ms); goto done; }
		model = mw->model;
	}
	items = json_object_get(doc, "items");
	if (!json_is_array(items) || json_array_size(items) == 0 || json_array_size(items) > CAT_BANK_MAX_ITEMS) {
		snprintf(err, ecap, "params: \"items\" must be a non-empty array");
		goto done;
	}
	size_t n = json_array_size(items);
	v = calloc(n, sizeof *v);
	if (!v) { snprintf(err, ecap, "out of memory"); goto done; }
	for (size_t i = 0; i < n; i++) {
		json_t *it = json_array_get(items, i);
		json_t *id = json_object_get(it, "id"), *a = json_object_get(it, "a"), *b = json_object_get(it, "b"),
		       *c = json_object_get(it, "c"), *d = json_object_get(it, "d");
		if (!json_is_string(id) || strlen(json_string_value(id)) == 0 || strlen(json_string_value(id)) >= CAT_ID_MAX) {
			snprintf(err, ecap, "params: item %zu needs an \"id\" string under %d bytes", i + 1, CAT_ID_MAX);
			goto done;
		}
		snprintf(v[i].id, sizeof v[i].id, "%s", json_string_value(id));
		struct cat_item *p = &v[i].irt;
		p->model = model;
		p->D = 1;
		p->nsteps = 1;
		p->a = a ? json_number_value(a) : 1.0;
		if ((a && !json_is_number(a)) || (b && !json_is_number(b)) || (c && !json_is_number(c) && !json_is_null(c)) ||
		    (d && !json_is_number(d)) || (!b && !d) || (!a && model != CAT_1PL)) {
			snprintf(err, ecap, "params: item %s needs numbers a and b (or d)", v[i].id);
			goto done;
		}
		p->b = b ? json_number_value(b) : -json_number_value(d) / p->a;
		p->c = (model == CAT_3PL && json_is_number(c)) ? json_number_value(c) : 0.0;
		if (cat_item_check(p)) {
			snprintf(err, ecap, "params: item %s: %s", v[i].id, cat_error_last());
			goto done;
		}
	}
	*out = v;
	*out_n = n;
	v = NULL;
	rc = 0;
done:
	free(v);
	json_decref(doc);
	return rc;
}

static int cli_score_params(struct cli_score_item **out, size_t *out_n, const char *path, char *err, size_t ecap)
{
	size_t len;
	char *text = cli_score_slurp(path, CLI_SCORE_MAX_PARAMS, &len);
	int rc = -1;
	if (!text) {
		snprintf(err, ecap, "cannot read '%s'%s", path, errno == EFBIG ? " (too large)" : "");
		return -1;
	}
	const char *p = text;
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
	/* A calibrate document is one object with "items"; a bank has one object per line. */
	json_t *probe = json_loadb(text, len, 0, NULL);
	bool is_doc = probe && json_is_object(probe) && json_object_get(probe, "items");
	json_decref(probe);
	if (is_doc) {
		rc = cli_score_params_json(out, out_n, text, len, err, ecap);
	} else {
		struct cat_bank *bank;
		if (cat_bank_parse(&bank, text, len)) {
			snprintf(err, ecap, "%s: %s", path, cat_error_last());
		} else {
			struct cli_score_item *v = calloc(bank->n, sizeof *v);
			if (v) {
				for (size_t i = 0; i < bank->n; i++) {
					memcpy(v[i].id, bank->items[i].id, sizeof v[i].id);
					v[i].irt = bank->items[i].irt;
				}
				*out = v;
				*out_n = bank->n;
				rc = 0;
			} else {
				snprintf(err, ecap, "out of memory");
			}
			cat_bank_free(bank);
		}
	}
	free(text);
	return rc;
}

/* Split a TSV line in place into at most max fields; returns count or -1 if more. */
static int cli_score_split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == max) return -1;
		f[n++] = p;
		char *t = strchr(p, '\t');
		if (!t) break;
		*t = 0;
		p = t + 1;
	}
	return n;
}

static void cli_score_chomp(char *s)
{
	size_t l = strlen(s);
	while (l && (s[l - 1] == '\n' || s[l - 1] == '\r')) s[--l] = 0;
}

int cli_cmd_score(int argc, char **argv)
{
	const char *ppath = NULL, *dpath = NULL, *mname = "eap";
	int json = 0, rc = CLI_FAIL;
	char err[400];
	struct cli_score_item *items = NULL;
	size_t nitems = 0;
	FILE *df = NULL;
	char *line = NULL;
	size_t lcap = 0;
	char **cols = NULL;
	int *colitem = NULL, *x = NULL;
	const struct cat_item **its = NULL;
	json_t *persons = NULL;
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss score --params P --data D [--method eap|map|mle|wle] [--json]\n\n"
		       "Estimate ability (theta) and its standard error for every row of D.\n"
		       "  --params P  item parameters: an engine bank (JSON Lines, docs/bank-format.md) or the\n"
		       "              document `riss calibrate --json` prints ({\"model\", \"items\": [...]})\n"
		       "  --data D    wide TSV: header `id<TAB>item...[<TAB>freq]`, one row per person, scores\n"
		       "              0/1 (0..m for GPCM), empty or NA when the item was not presented\n"
		       "  --method M  eap (default; 61 points on [-6, 6], N(0,1) prior), map, mle, wle.\n"
		       "              MLE for all-right/all-wrong rows reports the EAP estimate (documented rule)\n"
		       "  --quad-points N, --quad-range LO:HI, --prior MEAN:SD\n"
		       "              EAP grid and the N(MEAN, SD) prior of EAP and MAP\n"
		       "  --json      print {\"persons\": [{\"id\", \"theta\", \"se\", \"fallback\", \"at_bound\"}],\n"
		       "              \"fallbacks\", \"at_bound\"} in input order: fallback = the row took the EAP\n"
		       "              (MLE/WLE without a finite maximum), at_bound = theta sits on its bound\n");
		return CLI_OK;
	}
	struct cat_est_opts eo;
	cat_est_opts_default(&eo);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;
		if (strcmp(a, "--json") == 0) { json = 1; continue; }
		if (!v)
			return cli_usage_error("score: option '%s' needs a value (see --help)", a);
		i++;
		if (strcmp(a, "--params") == 0) ppath = v;
		else if (strcmp(a, "--data") == 0) dpath = v;
		else if (strcmp(a, "--method") == 0) mname = v;
		else if (strcmp(a, "--quad-points") == 0) {
			long q = strtol(v, &end, 10);
			if (*end || q < 5 || q > 256)
				return cli_usage_error("score: --quad-points must be a whole number in 5..256");
			eo.quad_points = (int)q;
		} else if (strcmp(a, "--quad-range") == 0) {
			eo.quad_lo = strtod(v, &end);
			if (*end != ':' || (eo.quad_hi = strtod(end + 1, &end), *end) || !(eo.quad_lo < eo.quad_hi) ||
			    eo.quad_lo < -20 || eo.quad_hi > 20)
				return cli_usage_error("score: --quad-range must be LO:HI with -20 <= LO < HI <= 20");
		} else if (strcmp(a, "--prior") == 0) {
			eo.prior_mean = strtod(v, &end);
			if (*end != ':' || (eo.prior_sd = strtod(end + 1, &end), *end) || !(eo.prior_sd > 0 && eo.prior_sd < 100) ||
			    !(fabs(eo.prior_mean) <= 10))
				return cli_usage_error("score: --prior must be MEAN:SD with |MEAN| <= 10 and 0 < SD < 100");
		} else return cli_usage_error("score: unknown option '%s' (see --help)", a);
	}
	if (!ppath || !dpath)
		return cli_usage_error("score: --params and --data are required");
	enum cat_method method;
	if (cat_method_parse(&method, mname))
		return cli_usage_error("score: --method must be eap, map, mle or wle");
	if (cli_score_params(&items, &nitems, ppath, err, sizeof err)) {
		rc = cli_usage_error("score: %s", err);
		goto done;
	}
	df = fopen(dpath, "r");
	if (!df) {
		rc = cli_usage_error("score: cannot open '%s'", dpath);
		goto done;
	}
	cols = malloc(CLI_SCORE_MAX_COLS * sizeof *cols);
	colitem = malloc(CLI_SCORE_MAX_COLS * sizeof *colitem);
	x = malloc(CLI_SCORE_MAX_COLS * sizeof *x);
	its = malloc(CLI_SCORE_MAX_COLS * sizeof *its);
	persons = json_array();
	if (!cols || !colitem || !x || !its || !persons) {
		rc = cli_fail("score: out of memory");
		goto done;
	}
	ssize_t ll = getline(&line, &lcap, df);
	if (ll <= 0) {
		rc = cli_usage_error("score: %s: empty file (need a header row)", dpath);
		goto done;
	}
	if ((size_t)ll > CLI_SCORE_MAX_LINE) {
		rc = cli_usage_error("score: %s: header longer than %u bytes", dpath, CLI_SCORE_MAX_LINE);
		goto done;
	}
	cli_score_chomp(line);
	int ncols = cli_score_split(line, cols, CLI_SCORE_MAX_COLS);
	if (ncols < 2) {
		rc = cli_usage_error("score: %s: header needs an id column and at least one item column (at most %d)",
		                     dpath, CLI_SCORE_MAX_COLS);
		goto done;
	}
	int freq_col = -1, nused = 0;
	for (int c = 1; c < ncols; c++) {
		colitem[c] = -1;
		if (strcmp(cols[c], "freq") == 0) {
			freq_col = c;
			continue;
		}
		for (size_t k = 0; k < nitems; k++)
			if (strcmp(items[k].id, cols[c]) == 0) {
				colitem[c] = (int)k;
				break;
			}
		if (colitem[c] < 0) {
			rc = cli_usage_error("score: %s: column \"%.60s\" is not an item in %s", dpath, cols[c], ppath);
			goto done;
		}
		its[nused++] = &items[colitem[c]].irt;
	}
	long row = 1;
	if (!json)
		printf("id\ttheta\tse\n");
	while ((ll = getline(&line, &lcap, df)) > 0) {
		row++;
		if ((size_t)ll > CLI_SCORE_MAX_LINE) {
			rc = cli_usage_error("score: %s line %ld: longer than %u bytes", dpath, row, CLI_SCORE_MAX_LINE);
			goto done;
		}
		if (row > CLI_SCORE_MAX_ROWS) {
			rc = cli_usage_error("score: %s: more than %d rows", dpath, CLI_SCORE_MAX_ROWS);
			goto done;
		}
		cli_score_chomp(line);
		if (line[0] == 0)
			continue;
		int nf = cli_score_split(line, cols, CLI_SCORE_MAX_COLS);
		if (nf != ncols) {
			rc = cli_usage_error("score: %s line %ld: %d fields, the header has %d", dpath, row, nf < 0 ? CLI_SCORE_MAX_COLS : nf, ncols);
			goto done;
		}
		int k = 0;
		for (int c = 1; c < ncols; c++) {
			if (c == freq_col)
				continue;
			const char *v = cols[c];
			const struct cat_item *it = its[k];
			int max = it->model == CAT_GPCM ? it->nsteps : 1;
			if (v[0] == 0 || strcmp(v, "NA") == 0) {
				x[k++] = -1;
				continue;
			}
			char *end;
			long sv = strtol(v, &end, 10);
			if (*end || sv < 0 || sv > max) {
				rc = cli_usage_error("score: %s line %ld: \"%.20s\" in column %d is not a score 0..%d, empty or NA",
				                     dpath, row, v, c + 1, max);
				goto done;
			}
			x[k++] = (int)sv;
		}
		struct cat_estimate est;
		if (cat_estimate(&est, method, &eo, its, x, (size_t)nused)) {
			rc = cli_fail("score: %s line %ld: %s", dpath, row, cat_error_last());
			goto done;
		}
		if (json) {
			/* fallback: MLE/WLE had no finite maximum (all right/wrong), EAP reported instead;
			 * at_bound: the estimate sits on theta_min/theta_max */
			json_t *p = json_pack("{s:s, s:f, s:f, s:b, s:b}", "id", cols[0], "theta", est.theta, "se", est.se,
			                      "fallback", (est.flags & CAT_EST_FALLBACK) != 0, "at_bound",
			                      (est.flags & CAT_EST_BOUND) != 0);
			if (!p || json_array_append_new(persons, p)) {
				rc = cli_fail("score: %s line %ld: id is not valid UTF-8 or out of memory", dpath, row);
				goto done;
			}
		} else {
			printf("%s\t%.6f\t%.6f\n", cols[0], est.theta, est.se);
		}
	}
	if (ferror(df)) {
		rc = cli_fail("score: cannot read '%s'", dpath);
		goto done;
	}
	if (json) {
		size_t nfb = 0, nbd = 0, k;
		json_t *pv;
		json_array_foreach(persons, k, pv) {
			nfb += json_is_true(json_object_get(pv, "fallback"));
			nbd += json_is_true(json_object_get(pv, "at_bound"));
		}
		json_t *o = json_pack("{s:O, s:I, s:I}", "persons", persons, "fallbacks", (json_int_t)nfb, "at_bound",
		                      (json_int_t)nbd);
		if (!o || json_dumpf(o, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0) {
			json_decref(o);
			rc = cli_fail("score: cannot write JSON");
			goto done;
		}
		json_decref(o);
		putchar('\n');
	}
	rc = fflush(stdout) == 0 ? CLI_OK : cli_fail("score: cannot write to stdout");
done:
	json_decref(persons);
	if (df) fclose(df);
	free(line);
	free(cols);
	free(colitem);
	free(x);
	free(its);
	free(items);
	return rc;
}
