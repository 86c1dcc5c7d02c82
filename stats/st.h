/* The agency's statistics tables: one registry of tables that the API (web/stats.c), the CLI
 * (riss stats) and the dashboard share. Each table's figures come from its owning module's
 * public header (delivery for the exam, registry for the register); every table released
 * here has passed disclosure control (common/rs_sdc.h) and its audit. Prefix st_. */
#ifndef ST_H
#define ST_H

#include <jansson.h>

#include "rs_db.h"
#include "rs_sdc.h"

/* Filters of every table (what does not apply to a table is ignored). Dates are snapped to
 * whole months: from = first day of its month, to = the month that contains it. */
struct st_filter {
	char from_month[11], to_month[11]; /* "YYYY-MM-01" or "" */
	char exam[17];                      /* exam code or "" */
	char centre[33];                    /* centre code or "" */
	char prefecture[3];                 /* JIS X 0401 code or "" */
};

/* Set one filter from a request or command-line value ("period", "from", "to", "exam",
 * "centre", "prefecture"; empty value = no filter). period is a published period of a
 * fiscal year (April-March): "2025", "2025-H1" / "-H2", "2025-Q1" ... "-Q4"; it sets from
 * and to. RS_EINVAL with a catalogue message on a bad value or name. */
int st_filter_set(struct st_filter *f, const char *name, const char *value);
/* After the filters are set: the date range is all time or exactly one published period
 * (the only ranges released: each table is protected jointly over that lattice, so two
 * releases cannot be differenced). RS_EINVAL with a catalogue message otherwise. */
int st_filter_check(const struct st_filter *f);

/* The tables: [{"name", "title" (catalogue id), "group" (catalogue id), "section"}], new. */
json_t *st_table_list(void);
/* 1 when name is a table. */
int st_table_exists(const char *name);

/* Build table name under the filters and release it: counts, rates and means after primary
 * and secondary suppression (rules), audited; with raw = 1 the unsuppressed figures (the
 * caller has checked the route allows it, and the read is recorded in the audit trail as
 * actor/role). *out is new (json_decref). RS_ENOTFOUND for an unknown table, RS_ESTATE
 * (stats5.not_releasable) when disclosure control cannot release it under these filters
 * (never released; a longer period or fewer filters may be). */
int st_table(json_t **out, rs_db *db, const char *name, const struct st_filter *f, const struct rs_sdc_rules *rules,
             int raw, const char *actor, const char *role, const char *request_id);

/* The table as CSV (RFC 4180, UTF-8): a header of column keys, then one line per row and the
 * total; labels in Japanese (en == 0) or English; a suppressed figure is "x". malloc'd. */
char *st_csv(const json_t *table, int en);

/* Refresh every module's partial aggregates (the job, riss stats refresh). */
int st_refresh(rs_db *db);

/* Progress of a refresh: fn(ctx, step, done, total) as each step starts (step: an English
 * name for an operator's log; done of total, or 0 of 1 for a step without parts). */
struct st_progress {
	void (*fn)(void *ctx, const char *step, int done, int total);
	void *ctx;
};
/* st_refresh, telling pg (may be NULL) each step. */
int st_refresh_with(rs_db *db, const struct st_progress *pg);

#endif
