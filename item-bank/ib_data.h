/* item-bank: response data for calibration and item analysis, in a sparse
 * person-major layout, and the wide/long TSV readers that fill it. */
#ifndef IB_DATA_H
#define IB_DATA_H

#include <stddef.h>
#include <stdint.h>

/* Bounds every reader keeps to; larger input fails with RS_ETOOBIG. */
#define IB_MAX_INPUT_BYTES ((size_t)2 << 30) /* 2 GiB of TSV */
#define IB_MAX_ITEMS 100000u                 /* item columns / distinct items */
#define IB_MAX_PERSONS 20000000u             /* rows / distinct persons */
#define IB_MAX_ID_LEN 200u                   /* bytes in a person or item id */
#define IB_MAX_FREQ 1000000000.0             /* largest freq value of a row */
#define IB_MAX_OPTIONS 8                     /* option letters A..H */

/* One response is packed as (item << 1) | score, so a response indexes the
 * (item, score) row of a table directly. */
#define IB_RESP(item, score) (((uint32_t)(item) << 1) | (uint32_t)((score) & 1))
#define IB_RESP_ITEM(r) ((r) >> 1)
#define IB_RESP_SCORE(r) ((r) & 1u)

/* Dichotomous responses of n_persons persons to n_items items. Person i's
 * responses are resp[row_start[i] .. row_start[i+1]). Rows with the same
 * pattern may be merged and carry a weight (the `freq` column). */
struct ib_data {
	size_t n_persons;
	size_t n_items;
	size_t n_resp;          /* responses in all rows */
	char **person_ids;      /* n_persons ids (owned) */
	char **item_ids;        /* n_items ids, in input order (owned) */
	double *weight;         /* n_persons row weights, 1 unless `freq` was given */
	size_t *row_start;      /* n_persons + 1 offsets into resp */
	uint32_t *resp;         /* IB_RESP(item, score), n_resp entries */
	uint8_t *option;        /* NULL, or per response the chosen option (0 = A) */
	uint8_t *key;           /* NULL, or per item its key option (0 = A) */
	size_t n_covars;        /* extra string columns kept (grouping columns) */
	char **covar_names;     /* n_covars names */
	char **covar;           /* n_persons * n_covars values, person-major ("" if empty) */
	size_t dropped_empty;   /* rows dropped because they held no response */
};

/* Options of the TSV readers. */
struct ib_read_opts {
	const char *const *keep_cols; /* wide: column names kept as string covariates, not items */
	size_t n_keep_cols;
	int allow_options;            /* wide: cells may be option letters A..H with a KEY row */
	size_t max_bytes;             /* 0 = IB_MAX_INPUT_BYTES */
};

/* Parse a wide TSV: a header (first column the person id, then one column per
 * item, an optional `freq` column), then one row per person (or pattern) with
 * 0, 1, or empty/NA for "not presented". With allow_options, cells may be
 * option letters and a row whose id is KEY gives each item's key letter.
 * On success *out is a new data set (free with ib_data_free). On failure
 * returns RS_EPARSE/RS_EINVAL/RS_ETOOBIG/RS_ENOMEM with one line naming the
 * line or item. opts may be NULL. */
int ib_data_read_wide(struct ib_data **out, const char *buf, size_t len,
                      const struct ib_read_opts *opts);

/* Parse a long TSV: one line per response, "person<TAB>item<TAB>score", with
 * an optional header line whose third field is `score`. Persons and items are
 * numbered in order of first appearance. A repeated (person, item) is an
 * error naming both lines. */
int ib_data_read_long(struct ib_data **out, const char *buf, size_t len,
                      const struct ib_read_opts *opts);

/* Read a whole file (at most max_bytes, 0 = IB_MAX_INPUT_BYTES) into *out
 * (malloc'd, NUL-terminated, caller frees) with its length in *out_len. */
int ib_read_file(char **out, size_t *out_len, const char *path, size_t max_bytes);

/* Convenience: read a file and parse it as wide (is_long = 0) or long TSV. */
int ib_data_load(struct ib_data **out, const char *path, int is_long,
                 const struct ib_read_opts *opts);

/* Build a data set directly (simulations, tests, the store): allocate room
 * for n_persons persons, n_items items and n_resp responses; ids are set to
 * "p<i>"/"i<j>" and weights to 1; the caller fills row_start and resp. */
int ib_data_alloc(struct ib_data **out, size_t n_persons, size_t n_items, size_t n_resp);

/* Free a data set; NULL is fine. */
void ib_data_free(struct ib_data *d);

/* Per-item counts: weighted number of responses and of correct responses
 * (arrays of n_items, filled by the caller-supplied buffers). */
void ib_data_item_counts(const struct ib_data *d, double *n_out, double *r_out);

/* Index of the item with this id, or -1. */
long ib_data_find_item(const struct ib_data *d, const char *id);

/* Index of a covariate column by name, or -1. */
long ib_data_find_covar(const struct ib_data *d, const char *name);

#endif
