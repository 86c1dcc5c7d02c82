/* The slices of a table's filter star, from the owning modules' figures (st_slices.h). */
#include "st_slices.h"

#include "dlv_stats.h"
#include "reg_stats.h"
#include "rs_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void st_slices_free(struct st_slices *sl)
{
	free(sl->s);
	free(sl->part);
	free(sl->hidden);
	free(sl->alias);
	memset(sl, 0, sizeof *sl);
}

static int st_slices_alloc(struct st_slices *sl, int cap)
{
	memset(sl, 0, sizeof *sl);
	sl->s = calloc((size_t)cap, sizeof *sl->s);
	sl->part = calloc((size_t)cap, sizeof *sl->part);
	sl->hidden = calloc((size_t)cap, 1);
	sl->alias = calloc((size_t)cap, sizeof *sl->alias);
	if (!sl->s || !sl->part || !sl->hidden || !sl->alias) {
		st_slices_free(sl);
		return RS_ENOMEM;
	}
	sl->n = 1; /* the whole */
	return 0;
}

/* Does key fit the filter of kind (a value a request can name)? "" never does. */
static int st_slice_nameable(enum st_slice_kind kind, const char *key)
{
	struct st_filter f;
	size_t len = strlen(key);
	size_t cap = kind == ST_SL_EXAM ? sizeof f.exam : kind == ST_SL_CENTRE ? sizeof f.centre : sizeof f.prefecture;
	return len > 0 && len < cap;
}

/* One partition of the whole: its values (rows' keys). */
static void st_slices_part(struct st_slices *sl, enum st_slice_kind kind, const struct dlv_stats_row *rows,
                           const struct reg_stats_row *rrows, int n)
{
	int shown = 0, hidden = 0;
	for (int i = 0; i < n; i++)
		*(st_slice_nameable(kind, rows ? rows[i].key : rrows[i].key) ? &shown : &hidden) += 1;
	if (shown == 1 && hidden == 0) { /* the one value holds the whole's figures */
		struct st_slice *a = &sl->alias[sl->nalias++];
		a->kind = kind;
		snprintf(a->key, sizeof a->key, "%s", rows ? rows[0].key : rrows[0].key);
		return;
	}
	if (n == 0)
		return;
	for (int i = 0; i < n; i++) {
		const char *key = rows ? rows[i].key : rrows[i].key;
		struct st_slice *s = &sl->s[sl->n];
		s->kind = kind;
		snprintf(s->key, sizeof s->key, "%s", key);
		sl->part[sl->n] = sl->npart;
		sl->hidden[sl->n] = (unsigned char)!st_slice_nameable(kind, key);
		sl->n++;
	}
	sl->npart++;
}

int st_slices_exam(struct st_slices *sl, rs_db *db)
{
	struct dlv_stats_filter none = { 0 };
	struct dlv_stats_row *exams = NULL, *centres = NULL, *prefs = NULL;
	int ne = 0, nc = 0, np = 0;
	char as_of[40];
	int rc = dlv_stats_exams(&exams, &ne, db);
	if (rc == 0)
		rc = dlv_stats_exam(&centres, &nc, as_of, db, DLV_STATS_CENTRE, &none);
	if (rc == 0)
		rc = dlv_stats_exam(&prefs, &np, as_of, db, DLV_STATS_PREFECTURE, &none);
	if (rc == 0)
		rc = st_slices_alloc(sl, 1 + ne + nc + np);
	if (rc == 0) {
		st_slices_part(sl, ST_SL_EXAM, exams, NULL, ne);
		st_slices_part(sl, ST_SL_CENTRE, centres, NULL, nc);
		st_slices_part(sl, ST_SL_PREFECTURE, prefs, NULL, np);
	}
	free(exams);
	free(centres);
	free(prefs);
	return rc;
}

int st_slices_register(struct st_slices *sl, rs_db *db)
{
	struct reg_stats_row *prefs = NULL;
	int np = 0;
	char as_of[40];
	int rc = reg_stats_register(&prefs, &np, as_of, db, REG_STATS_PREFECTURE, NULL, NULL, NULL);
	if (rc == 0)
		rc = st_slices_alloc(sl, 1 + np);
	if (rc == 0)
		st_slices_part(sl, ST_SL_PREFECTURE, NULL, prefs, np);
	free(prefs);
	return rc;
}

/* The kind and value of f's one filter (ST_SL_WHOLE: none). */
static enum st_slice_kind st_filter_kind(const struct st_filter *f, int register_table, const char **key)
{
	*key = "";
	if (f->prefecture[0]) {
		*key = f->prefecture;
		return ST_SL_PREFECTURE;
	}
	if (register_table)
		return ST_SL_WHOLE;
	if (f->centre[0]) {
		*key = f->centre;
		return ST_SL_CENTRE;
	}
	if (f->exam[0]) {
		*key = f->exam;
		return ST_SL_EXAM;
	}
	return ST_SL_WHOLE;
}

int st_slices_one(struct st_slices *sl, const struct st_filter *f)
{
	int rc = st_slices_alloc(sl, 1);
	if (rc == 0) {
		const char *key;
		sl->s[0].kind = st_filter_kind(f, 0, &key);
		snprintf(sl->s[0].key, sizeof sl->s[0].key, "%s", key);
	}
	return rc;
}

int st_slices_find(const struct st_slices *sl, const struct st_filter *f, int register_table)
{
	const char *key;
	enum st_slice_kind kind = st_filter_kind(f, register_table, &key);
	if (kind == ST_SL_WHOLE)
		return 0;
	for (int i = 1; i < sl->n; i++)
		if (sl->s[i].kind == kind && !sl->hidden[i] && strcmp(sl->s[i].key, key) == 0)
			return i;
	for (int i = 0; i < sl->nalias; i++)
		if (sl->alias[i].kind == kind && strcmp(sl->alias[i].key, key) == 0)
			return ST_SL_ALIAS;
	return -1;
}

void st_slice_filter(struct st_filter *f, const struct st_slice *s)
{
	memset(f, 0, sizeof *f);
	char *dst = s->kind == ST_SL_EXAM ? f->exam : s->kind == ST_SL_CENTRE ? f->centre
	          : s->kind == ST_SL_PREFECTURE ? f->prefecture : NULL;
	size_t cap = s->kind == ST_SL_EXAM ? sizeof f->exam : s->kind == ST_SL_CENTRE ? sizeof f->centre : sizeof f->prefecture;
	if (dst) { /* a released slice's key fits its filter (st_slice_nameable) */
		size_t len = strnlen(s->key, cap - 1);
		memcpy(dst, s->key, len);
		dst[len] = 0;
	}
}

struct st_lat_star st_slices_star(const struct st_slices *sl)
{
	struct st_lat_star star = { sl->n, sl->npart, sl->part, sl->hidden, NULL, NULL };
	return star;
}
