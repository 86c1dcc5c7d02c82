/* exam-engine private: the engine (exam bound to bank) and session structures. */
#ifndef CAT_ENGINE_INT_H
#define CAT_ENGINE_INT_H

#include "cat_internal.h"

enum { CAT_K_UNUSABLE = 0, CAT_K_OPER = 1, CAT_K_PRE = 2 };

struct cat_engine {
	const struct cat_exam *exam;
	const struct cat_bank *bank;
	size_t n;              /* bank items */
	uint8_t *kind;         /* per bank item: CAT_K_* */
	int16_t *dom;          /* per bank item: domain index, -1 if none */
	int32_t *enemy;        /* per bank item: enemy group, -1 if none */
	int nenemy;
	/* operational items, structure of arrays for the selection loop */
	size_t nop;
	uint32_t *opi;         /* bank index */
	double *oda, *ob, *oc; /* D*a, b, c (c = 0 unless 3PL) */
	uint8_t *ogpcm;        /* 1 when the item is GPCM (slow path) */
	int16_t *odom;
	int32_t *oenemy;
	double *oimax;         /* upper bound of the item's information over all theta */
	/* operational slots ordered by oimax descending (ties by slot): the selection scan
	 * stops as soon as no later item can beat the best found */
	uint32_t *order;
	/* log P(score | quadrature point) for dichotomous operational items, [bank index][2][quad]
	 * (NULL when the bank is too large to cache; then computed on the fly, same values) */
	double *llcache;
	uint32_t *llslot;      /* per bank item: cache row, UINT32_MAX if none */
	/* a-stratification: stratum of each operational slot, and the theta of each slot's
	 * maximum information (b for 1PL/2PL; Birnbaum's b + log((1 + sqrt(1 + 8c)) / 2) / Da
	 * for 3PL; the mean step difficulty for GPCM) */
	uint8_t *ostr;
	double *obstar;
	int stage_end[CAT_MAX_STRATA]; /* operational items answered when stage k ends */
	/* cut reservation (exam reserve_forms > 0): 1 for an operational slot in one of the
	 * parallel forms at the cut, which only near-cut candidates may take; NULL when off */
	uint8_t *oreserved;
	/* pretest items */
	size_t npre;
	uint32_t *prei;
	int8_t *prepart;       /* per bank item: part of a pretest item, -1 if none */
	int avail0[CAT_MAX_DOMAINS]; /* operational items outside every enemy set, per domain */
	int cap0[CAT_MAX_DOMAINS];   /* all operational items per domain */
	int min_len;                 /* operational items needed at least: length min and blueprint */
	struct cat_quad quad;
};

enum { CAT_F_USED = 1, CAT_F_REJECTED = 2 };
enum { CAT_SO_FIXED_THETA = 1, CAT_SO_NO_PRETEST = 2, CAT_SO_NO_EARLY_STOP = 4, CAT_SO_NO_EXPOSURE = 8 };

struct cat_session {
	const struct cat_engine *eng;
	uint64_t seed;
	int opts;              /* CAT_SO_* (internal uses: fixed form assembly) */
	double fixed_theta;
	struct cat_rng rng;
	double lp[256];        /* log posterior over the quadrature grid */
	double theta, se;      /* current EAP */
	double sprt_llr;       /* log L(cut + delta) - log L(cut - delta) over operational answers */
	int pre_part_n[CAT_MAX_PARTS]; /* trial items delivered per part */
	int n_op, n_pre;
	int dom_n[CAT_MAX_DOMAINS], part_n[CAT_MAX_PARTS];
	int avail[CAT_MAX_DOMAINS];
	uint8_t *flags;        /* per bank item: CAT_F_* */
	uint8_t *enemy_used;   /* per enemy group */
	int npre_pos;
	int pre_pos[64];       /* positions (0-based in the whole sequence) of pretest items */
	size_t nresp, cap;
	uint32_t *r_item;
	int8_t *r_score;
	uint8_t *r_pre;
	uint32_t *r_elapsed;
	bool pending_valid;
	size_t pending;
	bool pending_pre;
	bool done;
	enum cat_stop stop;
	bool timed_out;
	uint32_t elapsed;
	uint32_t time_up_at;
	bool time_up_called;   /* cat_session_time_up was called (serialised) */
	/* scratch for selection */
	double *s_info;
	uint32_t *s_idx;
	uint32_t *sim_selected;/* simulation hook: counts items facing the SH lottery */
	uint32_t *sim_sel_cond;/*   the same for the candidate's true-theta stratum (row of acc->c_sel) */
	int sim_stratum;       /* simulation (Stocking & Lewis): the conditional-SH lottery uses this
	                        * stratum of true theta, the one sim_sel_cond counts; -1: the stratum
	                        * of the current estimate (operational sessions) */
	bool excl_reserved;    /* this selection skips reserved items (candidate not near the cut) */
};

/* EAP over the engine's grid and prior for n answers to bank items (cached rows). */
void cat_engine_eap(const struct cat_engine *g, const uint32_t *items, const int *x, size_t n, struct cat_estimate *out);

int cat_session_new_opts(struct cat_session **out, const struct cat_engine *eng, uint64_t seed, int opts, double fixed_theta);

#endif
