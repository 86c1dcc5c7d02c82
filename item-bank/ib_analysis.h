/* item-bank: classical item analysis (p-value, point-biserial, distractors,
 * infit/outfit), Mantel–Haenszel DIF with ETS classes, and drift with
 * Stocking–Lord linking. */
#ifndef IB_ANALYSIS_H
#define IB_ANALYSIS_H

#include "ib_data.h"
#include "ib_params.h"

struct ib_classical {
	double n;                 /* weighted responses */
	double p;                 /* proportion correct */
	double rpb;               /* point-biserial with the rest score (own item excluded) */
	double infit, outfit;     /* mean-square fit at EAP θ; NAN without parameters */
	int n_options;            /* options seen (0 without option data) */
	double opt[IB_MAX_OPTIONS][3]; /* share choosing each option in the low, middle, high third */
	int distractor_flag;      /* a wrong option drawn more by the high third than the low */
};

/* Classical statistics of every item. par (may be NULL) enables infit/outfit;
 * theta (may be NULL) orders persons into thirds for the distractor table,
 * else the proportion correct does. *out holds n_items entries (free()). */
int ib_classical(struct ib_classical **out, const struct ib_data *d,
                 const struct ib_item_par *par, const double *theta);

/* S-X² item fit (Orlando & Thissen, 2000) of a fixed form: observed against
 * expected proportion correct by summed score, among the persons who answered
 * every item. Score groups are pooled until each expects at least one right and
 * one wrong answer. */
#define IB_SX2_MAX_ITEMS 200
struct ib_sx2 {
	double sx2;               /* the statistic; NAN when no group could be formed */
	int df;                   /* pooled score groups minus the item's free parameters */
	double p;                 /* upper chi-square tail; NAN when df < 1 */
	int groups;               /* pooled score groups */
	double n;                 /* weighted persons with a complete form */
};
/* S-X² of every item. n_par[j] is item j's number of estimated parameters (1 for
 * Rasch/1PL, 2 for 2PL, 3 for 3PL; NULL means 2); the latent density is
 * N(mean, sd). RS_EINVAL outside 3..IB_SX2_MAX_ITEMS items. *out holds n_items
 * entries (free()). */
int ib_sx2(struct ib_sx2 **out, const struct ib_data *d, const struct ib_item_par *par, const int *n_par,
           double mean, double sd);
/* The model's expected proportion correct on each item given the summed score
 * over J items: e[k * J + j] for k = 0..J (Lord–Wingersky recursion on a 61-point
 * grid over N(mean, sd) from -6 to 6 SD). e has (J + 1) * J entries. */
int ib_sx2_expected(double *e, const struct ib_item_par *par, size_t J, double mean, double sd);
/* P(X > x) for X chi-square with df degrees of freedom; NAN for df < 1. */
double ib_chi2_upper(double x, int df);

/* ETS classes of Mantel–Haenszel DIF. */
struct ib_dif {
	double n_ref, n_foc;      /* weighted responses of each group */
	double alpha;             /* MH common odds ratio (reference over focal) */
	double delta;             /* MH D-DIF = -2.35 ln alpha; negative favours the reference group */
	double se;                /* SE of delta (Robins–Breslow–Greenland) */
	double chi2, p;           /* MH chi-square (continuity corrected) and its p-value */
	char ets;                 /* 'A', 'B', 'C', or '-' when it cannot be computed */
};

/* MH DIF of every item. group[i] is 0 (reference), 1 (focal) or 2 (neither);
 * persons are stratified into n_strata equal-count groups on theta. *out holds
 * n_items entries (free()). */
int ib_dif_mh(struct ib_dif **out, const struct ib_data *d, const uint8_t *group,
              const double *theta, int n_strata);

/* MH statistics and ETS class of one item from its S strata of 2x2 cells
 * cell[s] = {reference right, reference wrong, focal right, focal wrong}. */
void ib_mh_cells(struct ib_dif *o, const double (*cell)[4], size_t S);

/* Linking constants θ_old = A θ_new + B over n common items: mean/sigma on b, or
 * minimising the Stocking–Lord (test characteristic curve) or Haebara (item
 * characteristic curves, item by item) criterion over a N(0, 1)-weighted grid. */
enum ib_link_method { IB_LINK_STOCKING_LORD = 0, IB_LINK_HAEBARA = 1, IB_LINK_MEAN_SIGMA = 2 };
int ib_link(double *out_A, double *out_B, double *crit, enum ib_link_method m, const struct ib_item_par *old,
            const struct ib_item_par *new_, size_t n);

/* Stocking–Lord linking constants: θ_old = A θ_new + B minimises the squared
 * difference of the test characteristic curves of the common items over a
 * N(0, 1)-weighted grid. *crit is the criterion at the optimum. */
int ib_stocking_lord(double *out_A, double *out_B, double *crit, const struct ib_item_par *old,
                     const struct ib_item_par *new_, size_t n);

/* Drift with purification: link by Stocking–Lord over the common items, flag
 * those with |A b_new + B - b_old| > threshold, link again without them, and
 * repeat until the flagged set stops changing (at most IB_DRIFT_MAX_ROUNDS
 * passes; at least two items always stay in the link). flagged[t] (n entries)
 * is set against the final constants. */
#define IB_DRIFT_MAX_ROUNDS 10
struct ib_drift {
	double A, B, crit;        /* θ_old = A θ_new + B and the criterion of the last link */
	int rounds;               /* linking passes run */
	int converged;            /* the flagged set stopped changing */
	size_t linking;           /* common items the last link used */
};
int ib_drift_link(struct ib_drift *out, uint8_t *flagged, const struct ib_item_par *old, const struct ib_item_par *new_,
                  size_t n, double threshold);

/* Lord's chi-square for one item's joint drift in slope and difficulty (Lord 1980,
 * ch. 14): the new estimates put on the old scale (a* = a_new / A, b* = A b_new + B),
 * v = (a* - a_old, b* - b_old), chi2 = v' (S* + S_old)^-1 v, where S_old is the old
 * estimates' covariance (se_a², cov_ab, se_b²) and S* the new one carried through the
 * link (se_a² / A², cov_ab, A² se_b²), the constants treated as known. 2 df, so
 * p = exp(-chi2 / 2). 0, or RS_EINVAL (*out_chi2 and *out_p NAN) when an estimate lacks
 * its SEs or covariance or the summed covariance is not positive definite. */
int ib_lord_chi2(double *out_chi2, double *out_p, const struct ib_item_par *old, const struct ib_item_par *new_,
                 double A, double B);

/* The same with the flag rule of a psychometric report: difficulty drift when |Δb| >
 * threshold and, when both estimates have standard errors, |Δb| > z SE(Δb) with
 * SE(Δb)² = A² se_b_new² + se_b_old² (flag bit 1); slope drift when the linked slope
 * ratio r = (a_new / A) / a_old has |ln r| > ln slope_ratio and, with SEs, |ln r| > z
 * SE(ln r) (bit 2); joint drift when Lord's chi-square (above; when both estimates carry
 * their covariance) has p below the two-sided normal level of z, erfc(z / √2) (bit 4:
 * 0.0099 for z = 2.58); only difficulty drift leaves the link. Then the constants of all
 * three methods over the final linking items, each with bootstrap standard errors
 * (resampling the linking items, boot replicates from seed). */
struct ib_drift_opts {
	double threshold;    /* 0.3 */
	double z;            /* 2.58 */
	double slope_ratio;  /* 1.5 */
	int boot;            /* 200 (0 = no bootstrap) */
	uint64_t seed;
};
struct ib_link_est { double A, B, se_A, se_B; };
int ib_drift_link_opts(struct ib_drift *out, struct ib_link_est est[3], uint8_t *flagged,
                       const struct ib_item_par *old, const struct ib_item_par *new_, size_t n,
                       const struct ib_drift_opts *o);

/* Person bootstrap of the linking constants: reps times, resample d's persons with
 * replacement (weights kept), calibrate the resample with co as the new form was, and
 * link the m linking items (item new_item[t] of d against old[t]) by each method
 * (enum ib_link_method order). out_se[k] = {se_A, se_B}: the SDs over the replicates that
 * calibrated and linked (at least 2, else NAN); *out_ok the number of such replicates.
 * Deterministic in seed. 0, RS_ENOMEM, or RS_EINVAL for reps < 2 or m < 2. */
struct ib_calib_opts;
int ib_link_person_boot(double out_se[3][2], int *out_ok, const struct ib_data *d, const struct ib_calib_opts *co,
                        const struct ib_item_par *old, const size_t *new_item, size_t m, int reps, uint64_t seed);

#endif
