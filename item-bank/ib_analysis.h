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

/* Stocking–Lord linking constants: θ_old = A θ_new + B minimises the squared
 * difference of the test characteristic curves of the common items over a
 * N(0, 1)-weighted grid. *crit is the criterion at the optimum. */
int ib_stocking_lord(double *out_A, double *out_B, double *crit, const struct ib_item_par *old,
                     const struct ib_item_par *new_, size_t n);

#endif
