/* item-bank: marginal maximum-likelihood calibration (Bock–Aitkin EM) of the
 * Rasch, 1PL, 2PL and 3PL models on sparse dichotomous data, with priors,
 * fixed items, standard errors and a thread-count-independent E-step. */
#ifndef IB_CALIB_H
#define IB_CALIB_H

#include "ib_data.h"
#include "ib_params.h"

/* Progress callback, called after each EM cycle (from the calling thread). */
typedef void (*ib_progress_fn)(void *ctx, int iter, double loglik, double change,
                               double elapsed_s);

struct ib_calib_opts {
	enum ib_model model;
	int n_quad;                 /* quadrature points, 0 = 41 */
	double quad_lim;            /* grid on [-lim, lim], 0 = 6 */
	int max_iter;               /* 0 = 500 */
	double tol;                 /* stop when the largest parameter change is below; 0 = 1e-4 */
	int threads;                /* E-step threads, 0 = online CPUs (max 64) */
	int prior_a;                /* lognormal(mu, sd) prior on a (2pl, 3pl, common 1pl slope) */
	double prior_a_mu, prior_a_sd;
	int prior_c;                /* beta(alpha, beta) prior on c (3pl); 3pl defaults to beta(5,17) */
	double prior_c_alpha, prior_c_beta;
	int no_prior_c;             /* 3pl without any prior on c */
	const struct ib_params *fixed; /* items with these ids are held at these values */
	ib_progress_fn progress;
	void *progress_ctx;
};

struct ib_calib_result {
	enum ib_model model;
	size_t n_items;
	struct ib_item_par *items;  /* n_items, in the data's item order */
	double loglik;              /* marginal log-likelihood at the estimates */
	int iterations;             /* EM cycles run */
	int converged;
	double latent_mean, latent_sd; /* of the N(mean, sd) ability distribution */
	int n_hist;
	double *hist_loglik;        /* per cycle: log-likelihood before its M-step */
	double *hist_change;        /* per cycle: largest parameter change */
	double seconds;             /* wall time */
	size_t n_fixed;             /* items held fixed */
	/* Convergence is judged on three things at once: the largest parameter change, the
	 * change in log-likelihood and the largest gradient of the marginal log-likelihood
	 * per person (Fisher's identity: the E-step objective's gradient at the current
	 * parameters), each under tol (the log-likelihood change in its own units). A 3PL item whose c falls to its lower bound with the
	 * gradient pointing below it is held at c = 0 from then on (its likelihood maximum
	 * lies on the bound); a slope on its box bound (1e-3, 50) with the gradient pointing
	 * out is left out of the gradient test. at_bound[j]: bit 1 slope, bit 4 c. */
	double max_gradient;        /* at the last cycle, per person */
	double loglik_change;       /* |loglik(last) - loglik(previous)| */
	int *at_bound;              /* n_items flags */
	size_t n_at_bound;
};

/* Fill opts with the defaults for a model. */
void ib_calib_opts_init(struct ib_calib_opts *opts, enum ib_model model);

/* Calibrate the items of d. *out is new (ib_calib_result_free). Fails with
 * RS_EINVAL naming the item when a free item cannot be estimated (every
 * response right or wrong), RS_ENOMEM, or RS_EINVAL for bad options. Not
 * converging within max_iter is not an error: result->converged is 0. */
int ib_calibrate(struct ib_calib_result **out, const struct ib_data *d,
                 const struct ib_calib_opts *opts);

void ib_calib_result_free(struct ib_calib_result *r);

/* EAP ability estimates (N(mean, sd) prior on a 61-point grid over [-6, 6])
 * for every person of d under the item parameters par (n_items of d).
 * theta_out and se_out (may be NULL) hold n_persons values. */
int ib_eap(double *theta_out, double *se_out, const struct ib_data *d,
           const struct ib_item_par *par, double mean, double sd);

#endif
