/* item-bank: DIF with two-stage purification (Holland & Thayer 1988; Zwick 2012):
 * Mantel–Haenszel on number-right score strata merged to a minimum cell size, and
 * logistic-regression DIF (Swaminathan & Rogers 1990) for uniform and non-uniform DIF
 * with the Nagelkerke R² effect size classes of Jodoin & Gierl (2001). */
#ifndef IB_DIF_H
#define IB_DIF_H

#include "ib_analysis.h"
#include "ib_data.h"

#include <stddef.h>
#include <stdint.h>

struct ib_dif_opts {
	int purify;          /* 1: second stage with the flagged items out of the matching score */
	double min_cell;     /* score levels merge until each stratum holds this weight of each group (5) */
	double min_group;    /* the weight each group needs for a report (100) */
};
void ib_dif_opts_init(struct ib_dif_opts *o);

struct ib_dif_item {
	struct ib_dif mh;        /* final stage */
	char ets_stage1;         /* the MH class on the unpurified score */
	int anchor;              /* 1: in the final matching score (not flagged at stage 1) */
	int strata;              /* score strata after merging */
	double lr_uni_chi2, lr_uni_p;   /* group term given score (df 1) */
	double lr_non_chi2, lr_non_p;   /* score x group term given both (df 1) */
	double lr_chi2, lr_p;           /* both terms (df 2) */
	double lr_r2;                   /* Nagelkerke R² gain of the two terms */
	char lr_class;                  /* 'A' (R² gain < .035 or p >= .05), 'B' (< .07), 'C'; '-' */
};

/* DIF of every item. group[i]: 0 reference, 1 focal, 2 neither. The matching score of
 * person i for item j is the number right on the anchor items plus item j itself (all
 * items at stage 1). RS_EINVAL when a group's weight is under min_group (the message
 * names it). *out holds n_items entries (free()); *n_flagged1 gets the items that left
 * the anchor. */
int ib_dif_analyze(struct ib_dif_item **out, size_t *n_flagged1, const struct ib_data *d, const uint8_t *group,
                   const struct ib_dif_opts *o);

/* Weighted logistic regression by Newton's method: y[i] in {0, 1} with weight w[i], k
 * predictors x[i * k + u] (k <= 4, an intercept is added). Returns the log-likelihood
 * and fills beta (k + 1) when non-NULL. */
double ib_logit_fit(const double *x, const double *y, const double *w, size_t n, int k, double *beta);

#endif
