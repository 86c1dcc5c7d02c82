/* exam-engine public header: IRT models, ability estimation, item selection with exposure
 * control and blueprint constraints, stopping rules, scaling, deterministic sessions.
 * Pure computation on libc + libm: no I/O, no globals except the per-thread error line. */
#ifndef CAT_H
#define CAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Error codes: numerically identical to common/rs_error.h (RS_EINVAL == CAT_EINVAL, ...),
 * so callers that use both can pass them on unchanged. Every failing function records one
 * line, readable with cat_error_last(). */
enum {
	CAT_OK = 0,
	CAT_EINVAL = -1,   /* bad argument or bad data */
	CAT_ENOMEM = -2,   /* allocation failed */
	CAT_ENOTFOUND = -4,/* no such item / domain */
	CAT_ETOOBIG = -9,  /* input larger than its bound */
	CAT_EPARSE = -10,  /* input not well formed (JSON, state bytes) */
	CAT_ECRYPTO = -13, /* checksum mismatch (corrupt serialised state) */
	CAT_ESTATE = -14,  /* not allowed in the session's current state */
	CAT_ERANGE = -15,  /* a value outside its bounds */
};

/* The calling thread's last error line ("" when none). Valid until the next failing call. */
const char *cat_error_last(void);

/* ------------------------------------------------------------------------------------ */
/* IRT models                                                                            */

enum cat_model {
	CAT_1PL = 1, /* Rasch/1PL: a is common (stored per item, normally 1), c = 0 */
	CAT_2PL = 2,
	CAT_3PL = 3,
	CAT_GPCM = 4, /* generalised partial credit: categories 0..nsteps */
};

#define CAT_MAX_STEPS 8     /* GPCM step parameters per item (so at most 9 categories) */
#define CAT_ID_MAX 64       /* item id bytes incl. NUL */
#define CAT_NAME_MAX 48     /* domain/part/type/enemy-set names incl. NUL */

/* One calibrated item, as the engine sees it. d = -a*b for reporting. */
struct cat_item {
	enum cat_model model;
	double a, b, c;            /* slope, difficulty, lower asymptote (3PL only) */
	double D;                  /* scaling constant: 1 (logistic) unless configured, 1.702 normal-ogive approx */
	int nsteps;                /* GPCM: number of steps (max score); 1 for dichotomous */
	double steps[CAT_MAX_STEPS]; /* GPCM step difficulties b_1..b_m */
};

/* P(X = 1 | theta) for a dichotomous item (for GPCM: expected score / max score).
 * Always in [0, 1], never NaN for finite inputs. */
double cat_prob(const struct cat_item *it, double theta);
/* GPCM category probabilities into out[0..nsteps]; dichotomous: out[0]=Q, out[1]=P. */
void cat_prob_cats(const struct cat_item *it, double theta, double *out);
/* Log-likelihood of score x (0/1, or 0..nsteps for GPCM) at theta; finite (floored at -1e6). */
double cat_loglik(const struct cat_item *it, double theta, int x);
/* First and second derivative of the log-likelihood of score x at theta. */
void cat_loglik_deriv(const struct cat_item *it, double theta, int x, double *out_d1, double *out_d2);
/* Fisher information at theta (>= 0, finite). 2PL at theta = b: D^2 a^2 / 4. */
double cat_info(const struct cat_item *it, double theta);
/* Validate one item's parameters (finite, a > 0, 0 <= c < 1, ...). 0 or CAT_EINVAL. */
int cat_item_check(const struct cat_item *it);

/* The logistic 1 / (1 + exp(-z)), evaluated on the side where exp cannot overflow, with the
 * engine's own exp (bit-identical on every machine). The one kernel: calibration, scoring
 * and selection all call it. */
double cat_logistic(double z);
/* P(correct) in slope/intercept form: c + (1 - c) * logistic(a * theta + d). */
double cat_prob_ad(double a, double d, double c, double theta);

/* ------------------------------------------------------------------------------------ */
/* The vocabulary (cat_vocab.c): every format names models and SG domains from these lists. */

struct cat_model_word {
	const char *name;          /* "rasch", "1pl", "2pl", "3pl", "gpcm" */
	enum cat_model model;
	bool rasch;                /* the 1PL with a = 1 fixed */
};
extern const struct cat_model_word cat_models[];
extern const size_t cat_models_n;
/* The entry of a model name, or NULL when unknown. */
const struct cat_model_word *cat_model_lookup(const char *name);
/* The name of a model ("rasch" for CAT_1PL when rasch is true). */
const char *cat_model_name(enum cat_model m, bool rasch);

/* One domain of the SG exam: its name in exam definitions, reports and the catalogue
 * (domain.<name>), its part, the code items carry in the item format and the bank (NULL
 * for part B's scenario domain, which takes every part-B item), and the engine item type. */
struct cat_sg_domain {
	const char *name;
	const char *part;          /* "A" or "B" */
	const char *item_code;
	const char *type;          /* "mc4" or "scenario" */
};
extern const struct cat_sg_domain cat_sg_domains[];
extern const size_t cat_sg_domains_n;
extern const char *const cat_sg_parts[];
extern const size_t cat_sg_parts_n;
/* Is code an item domain code (docs/item-format.md section 5)? Is part an SG part? */
bool cat_sg_item_code_ok(const char *code);
bool cat_sg_part_ok(const char *part);
/* The exam domain an item with this code in this part counts under, or NULL. */
const struct cat_sg_domain *cat_sg_exam_domain(const char *item_code, const char *part);
/* The domain with this exam name, or NULL. */
const struct cat_sg_domain *cat_sg_domain_named(const char *name);

/* ------------------------------------------------------------------------------------ */
/* Ability estimation                                                                    */

enum cat_method { CAT_EAP = 1, CAT_MAP = 2, CAT_MLE = 3, CAT_WLE = 4 };

struct cat_est_opts {
	int quad_points;   /* EAP quadrature points (default 61) */
	double quad_lo, quad_hi; /* EAP grid (default -6, 6) */
	double prior_mean, prior_sd; /* N(mean, sd) prior for EAP and MAP (default 0, 1) */
	double theta_min, theta_max; /* MLE/WLE/MAP bounds (default -6, 6) */
	int max_iter;      /* Newton iterations (default 100) */
};
/* Fill opts with the defaults above. */
void cat_est_opts_default(struct cat_est_opts *opts);

struct cat_estimate {
	double theta;
	double se;
	int flags; /* CAT_EST_* below */
};
enum {
	CAT_EST_FALLBACK = 1, /* MLE/WLE had no finite maximum (all right / all wrong / no items):
	                       * the rule is to report the EAP estimate and posterior SD instead */
	CAT_EST_BOUND = 2,    /* the estimate hit theta_min or theta_max */
};

/* Estimate theta from n responses: items[i] answered with score x[i] (x[i] < 0 = not
 * presented, skipped). opts NULL = defaults. 0, or CAT_EINVAL on bad items/scores. */
int cat_estimate(struct cat_estimate *out, enum cat_method method, const struct cat_est_opts *opts,
                 const struct cat_item *const *items, const int *x, size_t n);
/* Parse "eap" | "map" | "mle" | "wle"; 0 or CAT_EINVAL. */
int cat_method_parse(enum cat_method *out, const char *s);

/* ------------------------------------------------------------------------------------ */
/* Bounded JSON reader (used by the bank and exam parsers; exposed for tests and tools). */

enum cat_json_type { CAT_JNULL, CAT_JFALSE, CAT_JTRUE, CAT_JNUM, CAT_JSTR, CAT_JARR, CAT_JOBJ };
struct cat_jnode {
	enum cat_json_type type;
	double num;           /* CAT_JNUM */
	const char *str;      /* CAT_JSTR value (NUL-terminated UTF-8) */
	const char *key;      /* object member key, NULL otherwise */
	int first, next;      /* child and sibling node indices, -1 for none */
	int count;            /* number of children (arrays/objects) */
};
struct cat_json {
	struct cat_jnode *nodes;
	int n, cap;
	char *strs; size_t slen, scap;
};
#define CAT_JSON_MAX_BYTES (1u << 20) /* 1 MiB per document */
#define CAT_JSON_MAX_DEPTH 32
#define CAT_JSON_MAX_NODES 100000
/* Parse len bytes of JSON (one value, surrounding whitespace allowed) into out (node 0 is
 * the root). Strings must be valid UTF-8 without NUL. 0, CAT_EPARSE or CAT_ETOOBIG.
 * Free with cat_json_free even on failure. */
int cat_json_parse(struct cat_json *out, const char *text, size_t len);
void cat_json_free(struct cat_json *j);
/* Member of object node obj by key, or NULL. */
const struct cat_jnode *cat_json_get(const struct cat_json *j, const struct cat_jnode *obj, const char *key);
/* i-th child (array element or object member) or NULL. */
const struct cat_jnode *cat_json_child(const struct cat_json *j, const struct cat_jnode *n, int i);

/* ------------------------------------------------------------------------------------ */
/* Item bank: JSON Lines (docs/bank-format.md)                                           */

enum cat_status { CAT_OPERATIONAL = 0, CAT_PRETEST = 1, CAT_RETIRED = 2 };

struct cat_bank_item {
	char id[CAT_ID_MAX];
	struct cat_item irt;
	char domain[CAT_NAME_MAX];
	char part[CAT_NAME_MAX];
	char type[CAT_NAME_MAX];   /* item type, e.g. "mc4", "scenario" */
	char enemy[CAT_NAME_MAX];  /* enemy set name, "" for none: at most one item per set per test */
	enum cat_status status;
	double sh_k;               /* Sympson-Hetter administration probability given selection (0..1] */
	/* Conditional Sympson-Hetter (Stocking & Lewis 1998): one administration probability per
	 * theta stratum of the exam (exposure.theta_strata); nkc = 0 means 1 in every stratum */
	int nkc;
	double sh_kc[8];           /* CAT_SH_MAX_STRATA */
};
#define CAT_SH_MAX_STRATA 8

struct cat_bank {
	struct cat_bank_item *items;
	size_t n;
	uint64_t version;          /* FNV-1a 64 of the parsed content: the "bank version" */
};
#define CAT_BANK_MAX_ITEMS 200000
#define CAT_BANK_MAX_LINE 4096
/* Parse a JSON Lines bank from memory (blank lines and lines starting with '#' ignored).
 * On error the message names the line. *out owned by caller (cat_bank_free). */
int cat_bank_parse(struct cat_bank **out, const char *text, size_t len);
/* Parse one bank line into *out. 0 or CAT_EPARSE/CAT_EINVAL. */
int cat_bank_item_parse(struct cat_bank_item *out, const char *line, size_t len);
/* Write one item as a JSON line (with '\n') into buf of cap bytes; returns length or -1 if
 * it does not fit. Numbers are printed with 17 significant digits (round trip exact). */
int cat_bank_item_format(char *buf, size_t cap, const struct cat_bank_item *it);
/* Build a bank from n items (copied) with the same checks as cat_bank_parse (parameters,
 * sh_k, non-empty unique ids) and the same version a file of these items would get: the
 * bank version depends on the content only, never on how it reached the engine.
 * *out owned by caller (cat_bank_free). */
int cat_bank_build(struct cat_bank **out, const struct cat_bank_item *items, size_t n);
/* Recompute bank->version after editing items (e.g. sh_k). */
void cat_bank_rehash(struct cat_bank *bank);
/* Index of the item with this id, or -1. */
long cat_bank_find(const struct cat_bank *bank, const char *id);
void cat_bank_free(struct cat_bank *bank);

/* ------------------------------------------------------------------------------------ */
/* Exam definition: JSON (docs/exam-format.md)                                           */

#define CAT_MAX_DOMAINS 32
#define CAT_MAX_PARTS 8
#define CAT_MAX_TYPES 8

/* CAT_EXPO_SH_COND: conditional Sympson-Hetter (Stocking & Lewis 1998): the lottery uses the
 * parameter of the theta stratum the current estimate lies in, and the procedure bounds the
 * exposure within each stratum of true theta, not only over the whole population. */
enum cat_exposure { CAT_EXPO_NONE = 0, CAT_EXPO_RANDOMESQUE = 1, CAT_EXPO_SH = 2, CAT_EXPO_SH_COND = 3 };
/* Item selection: maximum information (MFI), or a-stratification with b-blocking (Chang,
 * Qian & Ying 2001): the pool is cut into strata of rising slope with matched difficulty
 * distributions; stage k of the test draws from stratum k the item whose difficulty (the
 * theta of its maximum information) is closest to the current estimate. */
enum cat_selection { CAT_SEL_MFI = 0, CAT_SEL_ASTR = 1 };
#define CAT_MAX_STRATA 8

/* A group's label for people (exam format: "label": {"ja", "en"}, or one string, as older
 * files have it, then the same text in both); "" when none is given. */
#define CAT_LABEL_MAX 128
struct cat_domain {
	char name[CAT_NAME_MAX];
	char label_ja[CAT_LABEL_MAX], label_en[CAT_LABEL_MAX];
	int part;                  /* index into parts */
	int min, max;              /* operational items from this domain */
};
struct cat_part {
	char name[CAT_NAME_MAX];
	char label_ja[CAT_LABEL_MAX], label_en[CAT_LABEL_MAX];
	int min, max;
	int trial;                 /* unscored trial (pretest) items delivered in this part; the
	                            * parts' trial counts add up to pretest_items when given */
	int ntypes;
	char types[CAT_MAX_TYPES][CAT_NAME_MAX]; /* allowed item types; none listed = any */
};

struct cat_exam {
	char id[CAT_ID_MAX];
	char title[128];
	char version[CAT_NAME_MAX];
	int time_limit_s;          /* 0 = none */
	int min_items, max_items;  /* operational (scored) items */
	int pretest_items;         /* unscored, seeded at random positions */
	/* stopping */
	double se_target;          /* 0 = off */
	bool ci_rule;              /* stop when the 95 % CI around theta clears the cut */
	double ci_z;               /* 1.96 */
	/* sequential probability ratio test at the cut (Reckase; Eggen 1999): H0 theta =
	 * cut - delta against H1 theta = cut + delta, error rates alpha and beta; the test stops
	 * once the minima are met and the log likelihood ratio leaves (log(beta/(1-alpha)),
	 * log((1-beta)/alpha)) with the estimate on the same side of the cut */
	bool sprt;
	double sprt_delta, sprt_alpha, sprt_beta;
	/* estimation */
	enum cat_method final_method; /* method for the reported theta (selection always uses EAP) */
	struct cat_est_opts est;
	/* selection */
	enum cat_exposure exposure;
	int randomesque_k;
	double exposure_target;    /* Sympson-Hetter max exposure r */
	int sh_nstrata;            /* conditional SH: theta strata (1..CAT_SH_MAX_STRATA) cut at */
	double sh_cuts[CAT_SH_MAX_STRATA - 1]; /*   these rising thetas (default -1.5 -0.5 0.5 1.5) */
	int reserve_forms;         /* > 0: cut reservation (docs/exam-format.md): the items of this
	                            * many parallel forms assembled at the cut (cat_parallel_forms)
	                            * are reserved for candidates in the near-cut state */
	enum cat_selection selection;
	bool select_at_cut;        /* information (or closeness) at the cut, not the estimate */
	double near_cut_z;         /* > 0: select at the cut while |theta - cut| < near_cut_z * se */
	double near_cut_se;        /*   once se is at most this (0 = from the first item) */
	int near_cut_after;        /*   and at least this many scored items are answered */
	int strata;                /* a-stratification: number of strata (1..CAT_MAX_STRATA) */
	int stratum_items[CAT_MAX_STRATA]; /* operational items drawn from each stratum in turn */
	bool last_stratum_max_info; /* the last stage picks by maximum information within its stratum */
	int stratum_set;           /* > 1: stages picking by closeness draw at random among this many closest */
	int start_items;           /* the first start_items operational items are drawn at random */
	int start_set;             /*   from the start_set best by the selection criterion */
	/* scale */
	double cut_theta;          /* theta at the cut */
	double scale_slope;        /* scaled points per logit */
	int scale_cut, scale_min, scale_max; /* 600, 0, 1000 */
	double band_width;         /* domain band: 'near' when |theta_d - cut| <= band_width * se_d */
	/* blueprint */
	int ndomains, nparts;
	struct cat_domain domains[CAT_MAX_DOMAINS];
	struct cat_part parts[CAT_MAX_PARTS];
	uint64_t hash;             /* FNV-1a 64 of the document bytes: the "exam version" */
};
#define CAT_EXAM_MAX_BYTES (256u * 1024u)
/* Parse and validate an exam definition (bounded to CAT_EXAM_MAX_BYTES). Error names the
 * field. *out owned by caller (free()). */
int cat_exam_parse(struct cat_exam **out, const char *text, size_t len);
void cat_exam_free(struct cat_exam *exam);

/* ------------------------------------------------------------------------------------ */
/* Engine: an exam bound to a bank (validated once, shared read-only by many sessions,
 * safe to use from several threads at once).                                           */

struct cat_engine;
/* Bind exam to bank: maps items to domains/parts, checks that the blueprint can be met
 * (CAT_EINVAL "blueprint cannot be satisfied: ..." otherwise). Keeps pointers to exam and
 * bank, which must outlive the engine. */
int cat_engine_new(struct cat_engine **out, const struct cat_exam *exam, const struct cat_bank *bank);
void cat_engine_free(struct cat_engine *eng);

/* ------------------------------------------------------------------------------------ */
/* Session: one candidate. Fully determined by (exam hash, bank version, seed, responses).
 *
 * Typical use by the web layer:
 *     cat_session_new(&s, eng, seed);
 *     while (!cat_session_done(s)) {
 *         cat_session_next(s, &item);            // same answer until item is answered
 *         ... show bank->items[item], collect score, elapsed seconds ...
 *         cat_session_answer(s, item, score, elapsed_s);
 *     }
 *     cat_session_result(s, &res);
 * cat_session_encode after every answer gives bytes to store; cat_session_decode rebuilds
 * the session by replaying, reproducing every choice and estimate bit for bit.          */

struct cat_session;

/* New session. *out owned by caller (cat_session_free). */
int cat_session_new(struct cat_session **out, const struct cat_engine *eng, uint64_t seed);
void cat_session_free(struct cat_session *s);
/* The item to present now (index into bank->items). Repeated calls give the same item
 * until it is answered. CAT_ESTATE when the session is done. */
int cat_session_next(struct cat_session *s, size_t *out_item);
/* Record the answer to the pending item: score 0/1 (0..nsteps for GPCM); elapsed_s is the
 * total time used so far in the session (seconds, non-decreasing). CAT_EINVAL for an item
 * that was not the pending one (a response to an item not administered) or a bad score. If
 * elapsed_s reaches the time limit the session ends (run-out-of-time rule, see result). */
int cat_session_answer(struct cat_session *s, size_t item, int score, uint32_t elapsed_s);
/* Time ran out while an item was open (the caller's clock): ends the session. */
int cat_session_time_up(struct cat_session *s, uint32_t elapsed_s);
bool cat_session_done(const struct cat_session *s);
/* Number of items answered (operational + pretest). */
size_t cat_session_count(const struct cat_session *s);

enum cat_stop {
	CAT_STOP_NONE = 0, CAT_STOP_MAX_LENGTH, CAT_STOP_SE, CAT_STOP_CI, CAT_STOP_TIME,
	CAT_STOP_POOL, /* no eligible item left (blueprint maxima all reached) */
	CAT_STOP_SPRT, /* the sequential probability ratio test at the cut decided */
};
enum cat_band { CAT_BAND_BELOW = 0, CAT_BAND_NEAR = 1, CAT_BAND_ABOVE = 2 };
struct cat_domain_result {
	int items;           /* operational items answered from this domain */
	double theta, se;    /* EAP from these items alone */
	enum cat_band band;  /* relative to the cut */
};
struct cat_result {
	double theta, se;    /* final estimate (exam's final_method) */
	int scaled;          /* 0..1000 */
	bool pass;
	bool complete;       /* false: time ran out before the minimum length (then pass=false) */
	enum cat_stop stop;
	int operational, pretest; /* items answered */
	int ndomains;
	struct cat_domain_result domains[CAT_MAX_DOMAINS];
};
/* The result so far (valid at any time; final once done). */
int cat_session_result(const struct cat_session *s, struct cat_result *out);
/* Current EAP estimate used for selection. */
void cat_session_theta(const struct cat_session *s, double *out_theta, double *out_se);
/* Responses so far: item index and score for the i-th answer; 0 or CAT_ERANGE. */
int cat_session_response(const struct cat_session *s, size_t i, size_t *out_item, int *out_score, bool *out_pretest);

/* Serialise into out (cap bytes): "CAT", format version 1, exam hash, bank version, seed,
 * time-out record, then per response item index, score and elapsed-time delta as varints,
 * and a CRC-32 (little endian). At most 40 + 16 bytes per response, typically 3-5. Sets
 * *out_len and returns 0, or CAT_ETOOBIG when cap is too small. */
int cat_session_encode(const struct cat_session *s, unsigned char *out, size_t cap, size_t *out_len);
#define CAT_STATE_MAX_BYTES 4096
/* Rebuild a session from encoded bytes by replay. Rejects: wrong magic/version, checksum
 * mismatch (CAT_ECRYPTO), another exam or bank version (CAT_ESTATE), truncated or trailing
 * bytes, responses that do not match the replayed choices (CAT_EPARSE). */
int cat_session_decode(struct cat_session **out, const struct cat_engine *eng, const unsigned char *buf, size_t len);

/* ------------------------------------------------------------------------------------ */
/* Scaling                                                                               */

/* theta -> scaled score: round(scale_cut + slope * (theta - cut_theta)) clamped to
 * [scale_min, scale_max]; never reports scale_cut for a theta below the cut. */
int cat_scale(const struct cat_exam *exam, double theta);

/* ------------------------------------------------------------------------------------ */
/* Simulation (used by `riss simulate` and the Sympson-Hetter procedure)                  */

/* NORMAL: N(0,1); UNIFORM: U(-3, 3); STRATA: the same number of candidates in each of the
 * exam's conditional-SH theta strata (candidate i in stratum i mod strata), each from N(0,1)
 * truncated to its stratum, so the outer strata are as well counted as the middle ones. */
enum cat_theta_dist { CAT_DIST_NORMAL = 0, CAT_DIST_UNIFORM = 1, CAT_DIST_STRATA = 2 };

/* Accumulator for a batch of simulated candidates; merge batches run on several threads. */
struct cat_sim_acc {
	size_t nitems;
	uint32_t *admin;     /* per item: times administered (operational) */
	uint32_t *selected;  /* per item: times chosen as best candidate (before the SH lottery) */
	double n, sum_err, sum_sq, len_sum, consist_sum;
	int len_min, len_max;
	double correct_class;
	double violations;
	/* by true theta: CAT_SIM_BANDS bands of CAT_SIM_BAND_W from CAT_SIM_BAND_LO (the end
	 * bands also take the thetas beyond them) */
	double b_n[12], b_err[12], b_sq[12], b_var[12], b_len[12], b_correct[12];
	uint32_t *b_admin;   /* [band * nitems + item]: times administered to candidates of the band */
	/* by the exam's conditional-SH theta strata of true theta (exposure.theta_strata) */
	double c_n[CAT_SH_MAX_STRATA];
	uint32_t *c_sel;     /* [stratum * nitems + item]: times facing the SH lottery */
	uint32_t *c_admin;   /* [stratum * nitems + item]: times administered */
	/* Set by the caller before a run: with sympson-hetter-conditional the lottery uses the
	 * sh_kc of the candidate's true-theta stratum, the stratum c_sel counts (Stocking &
	 * Lewis's simulation; cat_sh_calibrate sets it); false: the current estimate's stratum,
	 * as an operational session does. Not merged: each batch's accumulator carries it. */
	bool lottery_true_theta;
};
#define CAT_SIM_BANDS 12
#define CAT_SIM_BAND_LO (-3.0)
#define CAT_SIM_BAND_W 0.5
int cat_sim_acc_init(struct cat_sim_acc *acc, size_t nitems);
void cat_sim_acc_free(struct cat_sim_acc *acc);
void cat_sim_acc_merge(struct cat_sim_acc *into, const struct cat_sim_acc *from);

/* Simulate candidates first..first+count-1 (candidate i's theta and seeds derive from seed
 * and i only, so any split into batches gives the same totals). When fixed_form is non-NULL
 * (n_form items), the candidate takes that form instead of the adaptive test. */
int cat_sim_run(struct cat_sim_acc *acc, const struct cat_engine *eng, uint64_t seed,
                enum cat_theta_dist dist, size_t first, size_t count,
                const size_t *fixed_form, size_t n_form);
/* The same for nforms fixed forms (form f is forms[f * stride .. + form_n[f]]): each
 * candidate takes one of them, drawn at random (from seed and the candidate's number, apart
 * from the draws of theta and answers, so nforms = 1 gives cat_sim_run's figures); or, with
 * by_theta, an oracle router that knows the true theta: the candidates whose |theta - cut|
 * lies in the k-th of nforms equal-probability bands of the theta distribution take form k
 * (nearest first), so every item still reaches 1/nforms of the candidates. */
int cat_sim_run_forms(struct cat_sim_acc *acc, const struct cat_engine *eng, uint64_t seed,
                      enum cat_theta_dist dist, size_t first, size_t count,
                      const size_t *forms, const size_t *form_n, size_t nforms, size_t stride, bool by_theta);

struct cat_sim_report {
	double examinees, bias, rmse;
	double len_mean; int len_min, len_max;
	double accuracy, consistency;
	double expo_max, expo_mean, unused_share, overlap;
	double violations;
	struct cat_sim_band {
		double lo, hi, n, bias, rmse, csem, len_mean, accuracy;
		double expo_max; /* conditional exposure: the largest share of the band's candidates
		                  * given one item */
	} band[CAT_SIM_BANDS];
	int nstrata;         /* the exam's conditional-SH theta strata (1 unless it has some) */
	struct cat_sim_stratum {
		double lo, hi, n;  /* lo/hi: -inf/+inf at the ends */
		double expo_max;   /* largest share of the stratum's candidates given one item */
	} stratum[CAT_SH_MAX_STRATA];
	double stratum_expo_max; /* the largest of the strata's expo_max */
};
/* The stratum (0..exam->sh_nstrata-1) of theta under the exam's conditional-SH cuts. */
int cat_sh_stratum(const struct cat_exam *exam, double theta);
void cat_sim_report(struct cat_sim_report *out, const struct cat_sim_acc *acc, const struct cat_engine *eng);

/* Assemble a fixed form: max_items operational items meeting the blueprint, most informative
 * at the cut. out_items must have room for exam->max_items; *out_n gets the count. */
int cat_fixed_form(size_t *out_items, size_t *out_n, const struct cat_engine *eng);
/* Assemble nforms (1..CAT_MAX_FORMS) disjoint fixed forms at the cut, each of max_items
 * operational items meeting the blueprint, each item the most informative eligible one at
 * the cut that no form holds yet. Parallel (tiers false): the forms take turns in
 * serpentine order (1..F, F..1, ...), so they come out near parallel. Tiers: form 1 is
 * filled first (the single fixed form), then form 2 from the rest, and so on, so form k is
 * the k-th best. nforms = 1 is cat_fixed_form. Form f's items go to out_items[f * max_items
 * ..] (room for nforms * max_items), its count to out_n[f]. CAT_EINVAL naming the form
 * when the bank cannot fill them all. */
#define CAT_MAX_FORMS 16
int cat_parallel_forms(size_t *out_items, size_t *out_n, int nforms, bool tiers, const struct cat_engine *eng);
/* Is bank item i reserved for near-cut candidates (exposure.reserve_forms)? */
bool cat_engine_reserved(const struct cat_engine *eng, size_t i);

/* One iteration of the Sympson-Hetter procedure: from an accumulator of a simulation with
 * the current parameters, set k_i = 1 if P(S_i) <= r else r / P(S_i). Writes bank sh_k. */
void cat_sh_update(struct cat_bank *bank, const struct cat_sim_acc *acc, double target);
/* The conditional (Stocking-Lewis) iteration: per theta stratum j of the exam, with
 * P(S_i | j) the share of stratum j's simulated candidates for whom item i faced the lottery,
 * k_ij = 1 if P(S_i | j) <= r else r / P(S_i | j) (a stratum without candidates keeps 1).
 * Writes bank sh_kc / nkc. */
void cat_sh_update_cond(struct cat_bank *bank, const struct cat_sim_acc *acc, const struct cat_exam *exam,
                        double target);

/* The whole Sympson-Hetter procedure, written once (publication of an exam package and
 * `riss exposure` both call it): start from k = 1; each round simulates o->examinees
 * candidates from N(0,1), sets k by cat_sh_update aiming at the exam's target less
 * o->margin, and stops when a round's maximum exposure is at most the aim plus 0.01 (after
 * the first round) or after o->max_rounds. With exposure method sympson-hetter-conditional
 * the same loop sets sh_kc by cat_sh_update_cond and judges the largest exposure within a
 * stratum of true theta (cat_sim_report's stratum_expo_max) instead of the overall one; its
 * rounds draw the simulees by CAT_DIST_STRATA and run each simulee's lottery on its true
 * stratum (lottery_true_theta), so the k and the counts refer to the same stratum.
 * bank must be the engine's bank; its sh_k and
 * version are updated. Deterministic in o->seed (a simulate hook must keep that).
 * CAT_EINVAL for bad options (fewer than 10 examinees, no rounds, an aim at or below
 * 0.001). */
struct cat_sh_opts {
	size_t examinees;          /* candidates per round (>= 10) */
	int max_rounds;            /* >= 1 */
	double margin;             /* aim this far below the target */
	uint64_t seed;
	/* Optional: run one round's simulation into acc (initialised for the bank, empty, its
	 * lottery_true_theta set) with the same result as cat_sim_run(acc, eng, seed, dist, 0, n,
	 * NULL, 0), e.g. split over threads (the engine has none); 0 or a CAT_E* code. NULL:
	 * cat_sim_run. dist is CAT_DIST_NORMAL, or CAT_DIST_STRATA for the conditional method. */
	int (*simulate)(struct cat_sim_acc *acc, const struct cat_engine *eng, uint64_t seed, enum cat_theta_dist dist,
	                size_t n, void *ctx);
	/* Optional: each round's figures, before its update (progress, history). */
	void (*on_round)(void *ctx, int round, const struct cat_sim_report *rep, const struct cat_sim_acc *acc);
	void *ctx;                 /* passed to both */
};
struct cat_sh_outcome {
	int rounds;
	double max_exposure;       /* of the last round simulated (conditional: the largest within a stratum) */
	bool reached;              /* max_exposure <= the exam's target */
};
int cat_sh_calibrate(struct cat_sh_outcome *out, struct cat_bank *bank, const struct cat_engine *eng,
                     const struct cat_sh_opts *o);

/* Can any selection method keep every item's exposure at or below target under this
 * blueprint? Every candidate takes at least need items from each domain, part and the test
 * (the minimum, or what the other groups' maxima leave over), so the group's n usable
 * operational items carry an exposure of at least need / n on average: the target is
 * infeasible when need > target * n for some group. */
enum cat_feas_kind { CAT_FEAS_TEST = 0, CAT_FEAS_PART = 1, CAT_FEAS_DOMAIN = 2 };
struct cat_feasibility {
	bool feasible;
	double min_max_exposure;   /* lower bound of the maximum exposure over the groups */
	int ngroups;
	struct cat_feas_group {
		char name[CAT_NAME_MAX + 8]; /* "test", "part A", "domain law" */
		enum cat_feas_kind kind;   /* what the group is; */
		int index;                 /*   the part's or domain's index in the exam (test: -1) */
		int need, have, have_needed; /* items per candidate, usable items, items needed at target */
		bool thin;
	} group[1 + CAT_MAX_PARTS + CAT_MAX_DOMAINS];
};
void cat_exposure_feasibility(struct cat_feasibility *out, const struct cat_engine *eng, double target);
/* The label of a part or domain (kind, index) of e in English (en != 0) or Japanese, as the
 * exam file gives it; NULL when it gives none (the caller then names the group by its
 * identifier) and for the whole test. */
const char *cat_group_label(const struct cat_exam *e, enum cat_feas_kind kind, int index, int en);

/* Deterministic 64-bit mixer (splitmix64) used to derive seeds. */
uint64_t cat_mix64(uint64_t x);

#endif
