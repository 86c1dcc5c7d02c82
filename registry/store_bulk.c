/* Bulk load of demo registrants (reg_bulk.h): applications, registrants with numbers from
 * the counter and their status history, one multi-row insert per table. */
#include "reg_bulk.h"

#include "rs_audit.h"
#include "rs_error.h"
#include "rs_pgarr.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reg_bulk_arg {
	const struct reg_bulk_person *p;
	size_t n;
	char (*regno)[REG_REGNO_LEN + 1];
};

static int reg_bulk_tx(rs_db *db, void *varg)
{
	struct reg_bulk_arg *a = varg;
	long long *app = calloc(a->n + 1, sizeof *app);
	struct rs_pgarr c[16];
	memset(c, 0, sizeof c);
	PGresult *r = NULL;
	int rc = 0;
	if (!app) {
		rc = RS_ENOMEM;
		goto done;
	}
	if ((rc = rs_pgarr_ids(app, db, "registry.applications", a->n)) != 0)
		goto done;
	char ns[24];
	snprintf(ns, sizeof ns, "%zu", a->n);
	const char *np[] = { ns };
	if ((rc = rs_db_exec(&r, db, "reg_bulk_numbers",
	                     "UPDATE registry.regno_counter SET last_number = last_number + $1::int RETURNING last_number - $1::int",
	                     1, np)) != 0)
		goto done;
	if (PQntuples(r) != 1) {
		rs_error_set("registration number counter row is missing");
		rc = RS_EINTERNAL;
		goto done;
	}
	long long first = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	if (first + (long long)a->n > 999999) {
		rs_error_set("registration numbers exhausted");
		rc = RS_ERANGE;
		goto done;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct reg_bulk_person *p = &a->p[i];
		long long num = first + (long long)i + 1;
		for (int d = REG_REGNO_LEN - 1; d >= 0; d--, num /= 10)
			a->regno[i][d] = (char)('0' + num % 10);
		a->regno[i][REG_REGNO_LEN] = '\0';
		rs_pgarr_int(&c[0], app[i]);
		rs_pgarr_add(&c[1], p->exam_result_ref);
		rs_pgarr_add(&c[2], p->exam_pass_date);
		rs_pgarr_add(&c[3], p->name);
		rs_pgarr_add(&c[4], p->name_kana);
		rs_pgarr_add(&c[5], p->name_latn);
		rs_pgarr_add(&c[6], p->date_of_birth);
		for (int k = 0; k < RS_ATTR_N; k++)
			rs_pgarr_add(&c[7 + k], p->attrs.v[k]);
		rs_pgarr_add(&c[11], p->reg_date);
	}
	if ((rc = rs_pgarr_exec(db, "reg_bulk_apps",
		"INSERT INTO registry.applications (id, exam_result_ref, exam_pass_date, name, name_kana, name_latn,"
		" date_of_birth, prefecture, occupation, industry, employer_type, state, reviewed_by, created_at, updated_at)"
		" OVERRIDING SYSTEM VALUE"
		" SELECT u.id, u.ref, u.pass, u.n, u.k, u.l, u.dob, u.pr, u.oc, u.ind, u.emp, 'approved', 'demo:registrar',"
		" u.reg - 45, u.reg - 45"
		" FROM unnest($1::bigint[], $2::text[], $3::date[], $4::text[], $5::text[], $6::text[], $7::date[],"
		" $8::text[], $9::text[], $10::text[], $11::text[], $12::date[])"
		" AS u(id, ref, pass, n, k, l, dob, pr, oc, ind, emp, reg)", c, 12)) != 0)
		goto done;
	rs_pgarr_free(c, 16);
	for (size_t i = 0; i < a->n; i++) {
		const struct reg_bulk_person *p = &a->p[i];
		rs_pgarr_add(&c[0], a->regno[i]);
		rs_pgarr_int(&c[1], app[i]);
		rs_pgarr_add(&c[2], p->reg_date);
		rs_pgarr_add(&c[3], p->valid_from);
		rs_pgarr_int(&c[4], p->renewal_count);
		rs_pgarr_add(&c[5], p->status);
		rs_pgarr_add(&c[6], p->status_reason ? p->status_reason : "");
		rs_pgarr_add(&c[7], p->status_at);
	}
	if ((rc = rs_pgarr_exec(db, "reg_bulk_regs",
		"INSERT INTO registry.registrants (regno, name, name_kana, name_latn, date_of_birth, exam_result_ref,"
		" exam_pass_date, application_id, reg_date, valid_from, valid_until, renewal_count, status, status_reason,"
		" status_changed_at, prefecture, occupation, industry, employer_type, created_at)"
		" SELECT u.regno, x.name, x.name_kana, x.name_latn, x.date_of_birth, x.exam_result_ref, x.exam_pass_date, x.id,"
		" u.reg, u.vf, (u.vf + interval '3 years' - interval '1 day')::date, u.rc, u.st, u.why, u.sat,"
		" x.prefecture, x.occupation, x.industry, x.employer_type, u.reg"
		" FROM unnest($1::text[], $2::bigint[], $3::date[], $4::date[], $5::int[], $6::text[], $7::text[], $8::date[])"
		" AS u(regno, app, reg, vf, rc, st, why, sat) JOIN registry.applications x ON x.id = u.app", c, 8)) != 0)
		goto done;
	/* The application is registered; the history: registration, renewals, the last change. */
	if ((rc = rs_pgarr_exec(db, "reg_bulk_apps_done",
		"UPDATE registry.applications a SET state = 'registered', regno = u.regno, updated_at = u.reg"
		" FROM unnest($1::text[], $2::bigint[], $3::date[]) AS u(regno, app, reg) WHERE a.id = u.app", c, 3)) != 0)
		goto done;
	if ((rc = rs_pgarr_exec(db, "reg_bulk_history",
		"INSERT INTO registry.status_history (regno, at, old_status, new_status, reason, actor)"
		" SELECT u.regno, u.reg::timestamptz, NULL, 'active', 'registered', 'demo:registrar'"
		" FROM unnest($1::text[], $2::bigint[], $3::date[]) AS u(regno, app, reg)"
		" UNION ALL SELECT u.regno, (u.reg + make_interval(years => 3 * g) - interval '30 days')::timestamptz, 'active', 'active',"
		"  'renewed', 'demo:registrar'"
		" FROM unnest($1::text[], $2::bigint[], $3::date[], $4::date[], $5::int[]) AS u(regno, app, reg, vf, rc),"
		"  generate_series(1, u.rc) g"
		" UNION ALL SELECT u.regno, u.sat::timestamptz, 'active', u.st, u.why, 'system'"
		" FROM unnest($1::text[], $2::bigint[], $3::date[], $4::date[], $5::int[], $6::text[], $7::text[], $8::date[])"
		" AS u(regno, app, reg, vf, rc, st, why, sat) WHERE u.st <> 'active'", c, 8)) != 0)
		goto done;
	json_t *detail = json_pack("{s:I}", "registrants", (json_int_t)a->n);
	rc = rs_audit(db, "system:demo", "system", "registry.demo.load", "registry:demo", detail, NULL);
	json_decref(detail);
done:
	PQclear(r);
	rs_pgarr_free(c, 16);
	free(app);
	return rc;
}

int reg_bulk_load(char (*out_regno)[REG_REGNO_LEN + 1], rs_db *db, const struct reg_bulk_person *p, size_t n)
{
	if (n == 0)
		return 0;
	struct reg_bulk_arg a = { .p = p, .n = n, .regno = out_regno };
	return rs_db_tx(db, RS_DB_READ_COMMITTED, 1, reg_bulk_tx, &a);
}
