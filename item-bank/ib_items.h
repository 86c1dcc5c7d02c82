/* item-bank: the item model (items with Japanese/English text, scenarios, enemies, active
 * parameters) and the JSON Lines interchange format of docs/item-format.md: a reader that
 * validates every line and reports every bad one, and the canonical writer. */
#ifndef IB_ITEMS_H
#define IB_ITEMS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Bounds of docs/item-format.md section 1. */
#define IB_ITEMS_MAX_LINE ((size_t)65536)         /* bytes in one line, without '\n' */
#define IB_ITEMS_MAX_LINES 100000                 /* lines in one file */
#define IB_ITEMS_MAX_BYTES ((size_t)64 << 20)     /* bytes in one file */
#define IB_ITEMS_MAX_DIAGS 1000                   /* problems kept; later ones are counted */

/* A bilingual text: both members non-empty (owned). */
struct ib_text {
	char *ja;
	char *en;
};

/* A scenario passage shared by several part-B items. */
struct ib_scenario {
	char *id;
	int version;
	char *exam;
	struct ib_text title, passage;
	char *author;
	char *reviewer;            /* NULL when none */
	int line;                  /* line number in the file it was read from (0 = not from a file) */
};

/* Active IRT parameters of an item (logistic, D = 1). */
struct ib_item_params {
	char model[8];             /* "rasch", "1pl", "2pl", "3pl" */
	double a, b, c;
};

/* One item. Strings are owned; NULL where the format allows absence. */
struct ib_item {
	char *id;
	int version;
	char *exam;
	char *status;              /* draft, review, pretest, operational, retired */
	char *type;                /* single_choice */
	char *domain;              /* domain code (section 5) */
	char part[2];              /* "A" or "B" */
	char *scenario;            /* scenario id (part B), else NULL */
	char **enemy;              /* n_enemy ids as written in the file */
	size_t n_enemy;
	struct ib_text stem;
	struct ib_text options[4];
	int key;                   /* 0..3 */
	struct ib_text rationale;
	char *author;
	char *reviewer;            /* NULL when none */
	int has_params;
	struct ib_item_params params;
	int line;                  /* line number in the file (0 = not from a file) */
};

/* The content of one file (or of a database export). */
struct ib_itemset {
	int has_meta;
	char *meta_exam;           /* from the meta record, else NULL */
	char *meta_title;          /* from the meta record, else NULL */
	struct ib_scenario *scenarios;
	size_t n_scenarios, cap_scenarios;
	struct ib_item *items;
	size_t n_items, cap_items;
};

/* One problem found by the reader: an error (the file is refused) or a warning. */
struct ib_diag {
	int line;                  /* 1-based line, 0 for the file as a whole */
	int warning;
	char *msg;                 /* "<member>: <what is wrong>" (owned) */
};

struct ib_diags {
	struct ib_diag *v;
	size_t n, cap;
	size_t n_errors, n_warnings;
	size_t dropped;            /* problems beyond IB_ITEMS_MAX_DIAGS, counted but not kept */
};

/* Flags for ib_items_parse. */
enum {
	IB_ITEMS_ENEMY_EXTERNAL = 1, /* enemy ids not in the file are allowed (checked by the
	                              * store against the bank on import) */
};

/* Read a JSON Lines item file held in buf (len bytes). Every line is checked and every bad
 * line gets one diagnostic in *diags (which the caller initialises to zeros and frees with
 * ib_diags_free, whatever the result). Returns 0 when there is no error (warnings are
 * fine) and *out is a new item set (free with ib_itemset_free); RS_EINVAL when any line is
 * bad (*out untouched), RS_ETOOBIG when the file is over a bound, RS_ENOMEM. */
int ib_items_parse(struct ib_itemset **out, struct ib_diags *diags, const char *buf, size_t len,
                   int flags);

/* Print each diagnostic as "<file>:<line>: <msg>" (warnings as "<file>:<line>: warning:
 * <msg>") to f. */
void ib_diags_print(const struct ib_diags *diags, const char *file, FILE *f);
/* Record one diagnostic (an error, or a warning) at line; past IB_ITEMS_MAX_DIAGS only
 * counted. Returns 0 or RS_ENOMEM. */
int ib_diags_vadd(struct ib_diags *d, int line, int warning, const char *fmt, va_list ap);
void ib_diags_free(struct ib_diags *diags);

/* Write the item set in the canonical form of docs/item-format.md: the meta line when
 * set->has_meta, then scenarios in id order each followed by its items in id order, then
 * the other items in id order. Enemy pairs are written once, on the item whose id sorts
 * later, listing the earlier ids in order (set->items' enemy lists are read as a symmetric
 * relation). Parameters are rounded to 4 decimals. 0, RS_EIO or RS_ENOMEM. */
int ib_items_write(FILE *f, const struct ib_itemset *set);

/* One item (without enemies, which need the whole set) as its canonical JSON line with
 * the given enemy ids, into a new NUL-terminated string with '\n' (caller frees). */
char *ib_item_line(const struct ib_item *it, char *const *enemy, size_t n_enemy);
/* One scenario as its canonical JSON line (caller frees). */
char *ib_scenario_line(const struct ib_scenario *sc);

/* True when two items have the same stem, options, key and scenario (the fields whose change
 * requires a new version). */
int ib_item_same_content(const struct ib_item *x, const struct ib_item *y);

/* Canonical number form: rounded to 4 decimals, shortest round-trip, always with a '.'.
 * cap must be at least 32 (otherwise out is set to ""). */
void ib_items_fmt_param(char *out, size_t cap, double v);

/* Helpers on the model. */
int ib_itemset_new(struct ib_itemset **out);
/* Append a zeroed item/scenario and return it, or NULL when out of memory. */
struct ib_item *ib_itemset_add_item(struct ib_itemset *set);
struct ib_scenario *ib_itemset_add_scenario(struct ib_itemset *set);
void ib_item_clear(struct ib_item *it);
void ib_scenario_clear(struct ib_scenario *sc);
void ib_itemset_free(struct ib_itemset *set);

/* Vocabulary checks (0 or RS_EINVAL). */
int ib_items_status_ok(const char *s);
int ib_items_domain_ok(const char *s);
/* Index of an id in set (items or scenarios), or -1. */
long ib_itemset_find_item(const struct ib_itemset *set, const char *id);
long ib_itemset_find_scenario(const struct ib_itemset *set, const char *id);

#endif
