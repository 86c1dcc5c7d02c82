/* Private to stats/: the slices of a table's filter star (st_lattice.h, st_slices.c) — the
 * whole table and the table under each value of each filter the tables accept one at a time
 * (exam, centre, prefecture; the register: prefecture), read from the owning modules. */
#ifndef ST_SLICES_H
#define ST_SLICES_H

#include "st.h"
#include "st_lattice.h"

enum st_slice_kind { ST_SL_WHOLE, ST_SL_EXAM, ST_SL_CENTRE, ST_SL_PREFECTURE };

struct st_slice {
	enum st_slice_kind kind;
	char key[40]; /* the filter's value; "" = not answered (prefecture, hidden) */
};

/* The star's slices: s[0] the whole, then each partition's values (part[i] = its partition,
 * hidden[i] for one never released). A partition of one value that is released holds the
 * whole's figures: it is not in the star but an alias of the whole (its release is the
 * whole's). */
struct st_slices {
	int n, npart;
	struct st_slice *s;
	int *part;
	unsigned char *hidden;
	struct st_slice *alias;
	int nalias;
};

/* The exam tables' slices: the whole, the exams, the centres, the candidates' prefectures
 * (not answered: hidden) with figures in the cube. 0 or an RS_E code. */
int st_slices_exam(struct st_slices *sl, rs_db *db);
/* The register tables': the whole and the registrants' prefectures. */
int st_slices_register(struct st_slices *sl, rs_db *db);
/* A star of the whole alone (f = the one filter, for raw reads: nothing is protected). */
int st_slices_one(struct st_slices *sl, const struct st_filter *f);
void st_slices_free(struct st_slices *sl);

/* The slice of filter f (at most one of exam, centre, prefecture set: st_filter_check):
 * its index in sl->s, ST_SL_ALIAS for an alias of the whole, or -1 when sl has no such slice
 * (no figures under f). register_table: only the prefecture filter applies. */
#define ST_SL_ALIAS (-2)
int st_slices_find(const struct st_slices *sl, const struct st_filter *f, int register_table);
/* The filter that names slice s (for keeping its joint table). */
void st_slice_filter(struct st_filter *f, const struct st_slice *s);
/* The filter star of sl (borrowing its arrays). */
struct st_lat_star st_slices_star(const struct st_slices *sl);

#endif
