/* exam-engine private header: shared helpers between the engine's source files. */
#ifndef CAT_INTERNAL_H
#define CAT_INTERNAL_H

#include "cat.h"

/* Record the calling thread's error line (printf format, truncated to 256 bytes). */
void cat_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* exp, log, log1p from basic IEEE operations (cat_math.c): identical on every machine. */
double cat_exp(double x);
double cat_log(double x);
double cat_log1p(double x);

/* Stable log of the logistic. */
double cat_log_logistic(double z);

/* xoshiro256** generator seeded by splitmix64: deterministic on every platform. */
struct cat_rng { uint64_t s[4]; };
void cat_rng_seed(struct cat_rng *r, uint64_t seed);
uint64_t cat_rng_next(struct cat_rng *r);
double cat_rng_uniform(struct cat_rng *r);   /* [0, 1) with 53 bits */
double cat_rng_normal(struct cat_rng *r);    /* N(0,1), Box-Muller (one value per call) */
uint32_t cat_rng_below(struct cat_rng *r, uint32_t n); /* uniform in [0, n), unbiased */

/* FNV-1a 64 */
uint64_t cat_fnv1a(uint64_t h, const void *data, size_t n);
#define CAT_FNV_INIT 0xcbf29ce484222325ULL

/* Quadrature grid and log prior for EAP (points, log prior weights). */
struct cat_quad {
	int n;
	double x[256];
	double logw[256];
};
int cat_quad_init(struct cat_quad *q, const struct cat_est_opts *o);
/* Mean and SD of the posterior exp(lp[k]) over the grid. */
void cat_quad_moments(const struct cat_quad *q, const double *lp, double *out_mean, double *out_sd);

/* Per-item intermediate quantities at theta for a score: d1 = dl/dtheta, d2, info, J. */
void cat_item_terms(const struct cat_item *it, double theta, int x, double *d1, double *d2,
                    double *info, double *jterm);

/* Typed field readers over cat_json with one clear error naming ctx and the key.
 * Missing optional fields leave *out untouched and return 0. */
int cat_jnum(const struct cat_json *j, const struct cat_jnode *obj, const char *key, bool required,
             double *out, const char *ctx);
int cat_jint(const struct cat_json *j, const struct cat_jnode *obj, const char *key, bool required,
             int lo, int hi, int *out, const char *ctx);
int cat_jstr(const struct cat_json *j, const struct cat_jnode *obj, const char *key, bool required,
             char *out, size_t cap, const char *ctx);

#endif
