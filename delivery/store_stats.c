/* Aggregate statistics over exam.results (read-only, one REPEATABLE READ snapshot). */
#include "dlv_stats.h"

#include "rs_audit.h"
#include "rs_error.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

static int dlv_stats_date_ok(const char *d)
{
	if (!d)
		return 1;
	if (strlen(d) != 10 || d[4] != '-' || d[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9'))
			return 0;
	/* A real calendar day, so the database never refuses the cast. */
	int y = atoi(d), m = (d[5] - '0') * 10 + (d[6] - '0'), day = (d[8] - '0') * 10 + (d[9] - '0');
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1 || m < 1 || m > 12 || day < 1 || day > mdays[m - 1])
		return 0;
	return !(m == 2 && day == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
}

/* One group's figures, or {"suppressed": true} below the minimum cell size. */
static json_t *dlv_stats_group(long long n, long long passed, const char *mean)
{
	if (n < DLV_STATS_MIN_CELL)
		return json_pack("{s:b}", "suppressed", 1);
	return json_pack("{s:I, s:I, s:f, s:f}", "sittings", (json_int_t)n, "passed", (json_int_t)passed,
	                 "pass_rate", (double)passed / (double)n, "mean_scaled", atof(mean));
}

struct dlv_stats_tx {
	const char *from, *to, *actor, *role, *reqid;
	json_t *out;
};

#define DLV_STATS_FROM \
	" FROM exam.results r JOIN exam.sessions s ON s.id = r.session_id " \
	"JOIN exam.bookings b ON b.id = s.booking_id JOIN exam.centres c ON c.code = b.centre_code " \
	"WHERE ($1::date IS NULL OR r.finished_at >= $1::date) " \
	"AND ($2::date IS NULL OR r.finished_at < $2::date + 1) "

static int dlv_stats_body(rs_db *db, void *arg)
{
	struct dlv_stats_tx *t = arg;
	const char *p[] = { t->from, t->to };
	PGresult *r = NULL;
	json_t *out = json_object();
	int rc = rs_db_exec(&r, db, "dlv_stats_total",
	                    "SELECT count(*), count(*) FILTER (WHERE r.passed), coalesce(avg(r.scaled), 0), "
	                    "coalesce(stddev_samp(r.scaled), 0), "
	                    "coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY r.scaled), 0)" DLV_STATS_FROM,
	                    2, p);
	if (rc != 0)
		goto done;
	long long n = atoll(PQgetvalue(r, 0, 0));
	json_t *total = dlv_stats_group(n, atoll(PQgetvalue(r, 0, 1)), PQgetvalue(r, 0, 2));
	if (n >= DLV_STATS_MIN_CELL) {
		json_object_set_new(total, "sd_scaled", json_real(atof(PQgetvalue(r, 0, 3))));
		json_object_set_new(total, "median_scaled", json_real(atof(PQgetvalue(r, 0, 4))));
	}
	json_object_set_new(out, "total", total);
	PQclear(r);
	r = NULL;

	rc = rs_db_exec(&r, db, "dlv_stats_centre",
	                "SELECT c.code, c.prefecture, count(*), count(*) FILTER (WHERE r.passed), avg(r.scaled)"
	                DLV_STATS_FROM "GROUP BY c.code, c.prefecture ORDER BY c.code", 2, p);
	if (rc != 0)
		goto done;
	json_t *centres = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *g = dlv_stats_group(atoll(PQgetvalue(r, i, 2)), atoll(PQgetvalue(r, i, 3)), PQgetvalue(r, i, 4));
		json_object_set_new(g, "centre", json_string(PQgetvalue(r, i, 0)));
		json_object_set_new(g, "prefecture", json_string(PQgetvalue(r, i, 1)));
		json_array_append_new(centres, g);
	}
	json_object_set_new(out, "by_centre", centres);
	PQclear(r);
	r = NULL;

	rc = rs_db_exec(&r, db, "dlv_stats_month",
	                "SELECT to_char(r.finished_at AT TIME ZONE 'Asia/Tokyo', 'YYYY-MM'), count(*), "
	                "count(*) FILTER (WHERE r.passed), avg(r.scaled)" DLV_STATS_FROM "GROUP BY 1 ORDER BY 1", 2, p);
	if (rc != 0)
		goto done;
	json_t *months = json_array();
	for (int i = 0; i < PQntuples(r); i++) {
		json_t *g = dlv_stats_group(atoll(PQgetvalue(r, i, 1)), atoll(PQgetvalue(r, i, 2)), PQgetvalue(r, i, 3));
		json_object_set_new(g, "month", json_string(PQgetvalue(r, i, 0)));
		json_array_append_new(months, g);
	}
	json_object_set_new(out, "by_month", months);
	PQclear(r);
	r = NULL;

	rc = rs_db_exec(&r, db, "dlv_stats_hist",
	                "SELECT least(r.scaled / 100, 9), count(*)" DLV_STATS_FROM "GROUP BY 1 ORDER BY 1", 2, p);
	if (rc != 0)
		goto done;
	json_t *hist = json_array();
	long long counts[10] = { 0 };
	for (int i = 0; i < PQntuples(r); i++)
		counts[atoi(PQgetvalue(r, i, 0))] = atoll(PQgetvalue(r, i, 1));
	for (int b = 0; b < 10; b++) {
		json_t *bin = json_pack("{s:i, s:i}", "from", b * 100, "to", b == 9 ? 1000 : b * 100 + 99);
		/* A band with a handful of people could identify them: show it only as "< 5". */
		if (counts[b] > 0 && counts[b] < DLV_STATS_MIN_CELL)
			json_object_set_new(bin, "suppressed", json_true());
		else
			json_object_set_new(bin, "count", json_integer((json_int_t)counts[b]));
		json_array_append_new(hist, bin);
	}
	json_object_set_new(out, "score_histogram", hist);
	json_object_set_new(out, "from", t->from ? json_string(t->from) : json_null());
	json_object_set_new(out, "to", t->to ? json_string(t->to) : json_null());
	json_object_set_new(out, "min_cell", json_integer(DLV_STATS_MIN_CELL));
	json_t *detail = json_pack("{s:o, s:o}", "from", t->from ? json_string(t->from) : json_null(),
	                           "to", t->to ? json_string(t->to) : json_null());
	rc = rs_audit(db, t->actor, t->role, "stats.results.export", "exam:results", detail, t->reqid);
	json_decref(detail);
done:
	PQclear(r);
	if (rc == 0) {
		json_decref(t->out);
		t->out = out;
	} else {
		json_decref(out);
	}
	return rc;
}

int dlv_stats_results(json_t **out, rs_db *db, const char *from, const char *to,
                      const char *actor, const char *role, const char *request_id)
{
	if (!dlv_stats_date_ok(from) || !dlv_stats_date_ok(to)) {
		rs_error_msg("stats.bad_date", NULL);
		return RS_EINVAL;
	}
	struct dlv_stats_tx t = { from, to, actor, role, request_id, NULL };
	int rc = rs_db_tx(db, RS_DB_REPEATABLE_READ, 3, dlv_stats_body, &t);
	if (rc != 0) {
		json_decref(t.out);
		return rc;
	}
	*out = t.out;
	return 0;
}
