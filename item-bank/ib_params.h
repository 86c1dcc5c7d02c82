/* item-bank: item parameters (a, b, c with d = -a·b) and the JSON params
 * file that `riss calibrate --json` writes and --fixed / analyze read. */
#ifndef IB_PARAMS_H
#define IB_PARAMS_H

#include <stddef.h>

#define IB_MAX_PARAMS_BYTES ((size_t)64 << 20) /* 64 MiB params file */

enum ib_model { IB_RASCH, IB_1PL, IB_2PL, IB_3PL };

/* One item's logistic parameters (D = 1): P = c + (1 - c) / (1 + exp(-(a θ + d))). */
struct ib_item_par {
	double a, b, c, d;          /* slope, difficulty, lower asymptote, intercept d = -a b */
	double se_a, se_b, se_c;    /* standard errors; NAN when the parameter was not estimated */
	double cov_ab;              /* sampling covariance of a and b (from the information
	                             * matrix, as the SEs); NAN when either was not estimated */
	int fixed;                  /* held at given values during calibration */
};

/* A set of item parameters keyed by item id. */
struct ib_params {
	size_t n;
	char **ids;                 /* n ids (owned) */
	struct ib_item_par *par;    /* n parameter sets */
	enum ib_model model;        /* as given in the file ("model"), IB_2PL when absent */
	double loglik;              /* NAN when absent */
};

/* Name of a model ("rasch", "1pl", "2pl", "3pl"). */
const char *ib_model_name(enum ib_model m);
/* Parse a model name; 0 or RS_EINVAL. */
int ib_model_parse(enum ib_model *out, const char *s);

/* Parse a params document: {"model"?, "items": [{"id", "a", "b" or "d", "c"?}, ...]}
 * (the output of `riss calibrate --json`), at most IB_MAX_PARAMS_BYTES. a must
 * be in (0, 20], |b| <= 20, c in [0, 1). One clear error naming the item index
 * on failure. *out is new (free with ib_params_free). */
int ib_params_parse(struct ib_params **out, const char *buf, size_t len);

/* Read and parse a params file. */
int ib_params_load(struct ib_params **out, const char *path);

/* Index of an item id in p, or -1. */
long ib_params_find(const struct ib_params *p, const char *id);

/* Free; NULL is fine. */
void ib_params_free(struct ib_params *p);

/* Probability of a correct answer at theta. */
double ib_prob(const struct ib_item_par *p, double theta);



/* The calibration document {"model", "loglik", "iterations", "converged",
 * "items": [{"id", "a", "b", "c", "d", "se_a", "se_b", "se_c", "cov_ab"}]} as a new
 * jansson object (caller decrefs); NaN values become null. Returns NULL when
 * out of memory. Declared as void * so this header does not need jansson. */
void *ib_params_json(enum ib_model model, double loglik, int iterations, int converged,
                     char *const *ids, const struct ib_item_par *par, size_t n);
#endif
