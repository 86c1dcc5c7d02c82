/* cpd-tracker: a registrant's standing — the register's current validity, the rule
 * version for that cycle and the accepted completions, judged by the pure rules. */
#include "cpd.h"
#include "store.h"

#include "reg_register.h"
#include "rs_error.h"

#include <stdio.h>
#include <string.h>

#define CPD_CREDITS_MAX 400

int cpd_rules_for(struct cpd_rules *out, rs_db *db, struct cpd_date cycle_start)
{
	struct cpd_rules rules[CPD_RULES_MAX];
	size_t nr = 0;
	int rc = cpd_store_rules(db, rules, CPD_RULES_MAX, &nr);
	if (rc != 0)
		return rc;
	const struct cpd_rules *r = cpd_rules_pick(rules, nr, cycle_start);
	if (!r) {
		rs_error_set("no rule version applies to a cycle starting %04d-%02d-%02d", cycle_start.y, cycle_start.m,
		             cycle_start.d);
		return RS_ENOTFOUND;
	}
	*out = *r;
	return 0;
}

/* The standing and, when desc is given, the JSON description of each credit. */
static int cpd_standing_run(struct cpd_status *out, json_t **desc, struct reg_registrant *reg, rs_db *db,
                            const char *regno, struct cpd_date today)
{
	int rc = reg_registrant_get(db, reg, regno);
	if (rc == RS_EINVAL)
		rs_error_msg("cpd.regno_invalid", NULL);
	else if (rc == RS_ENOTFOUND)
		rs_error_msg("cpd.status.regno_unknown", regno, NULL);
	if (rc != 0)
		return rc;
	struct cpd_date from, until;
	if (cpd_date_parse(&from, reg->valid_from) != 0 || cpd_date_parse(&until, reg->valid_until) != 0)
		return RS_EINTERNAL;
	struct cpd_rules rules;
	rc = cpd_rules_for(&rules, db, from);
	if (rc != 0 && rc != RS_ENOTFOUND)
		return rc;
	const struct cpd_rules *r = rc == 0 ? &rules : NULL; /* none: cpd_status_compute says so */
	static _Thread_local struct cpd_credit credits[CPD_CREDITS_MAX];
	size_t nc = 0;
	json_t *d = NULL;
	if ((rc = cpd_store_credits(db, credits, CPD_CREDITS_MAX, &nc, &d, regno, reg->valid_from, reg->valid_until)) != 0)
		return rc;
	rc = cpd_status_compute(out, r, from, credits, nc, today);
	if (rc == 0 && desc)
		*desc = d;
	else
		json_decref(d);
	return rc;
}

int cpd_standing(struct cpd_status *out, rs_db *db, const char *regno, struct cpd_date today)
{
	struct reg_registrant reg;
	return cpd_standing_run(out, NULL, &reg, db, regno, today);
}

static json_t *cpd_date_json(struct cpd_date d)
{
	char t[11];
	cpd_date_format(t, d);
	return json_string(t);
}

static json_t *cpd_credit_find(json_t *desc, int64_t id)
{
	size_t i;
	json_t *c;
	json_array_foreach(desc, i, c)
		if (json_integer_value(json_object_get(c, "completion_id")) == id)
			return c;
	return NULL;
}

int cpd_standing_json(json_t **out, rs_db *db, const char *regno, struct cpd_date today)
{
	struct reg_registrant reg;
	struct cpd_status s;
	json_t *desc = NULL;
	int rc = cpd_standing_run(&s, &desc, &reg, db, regno, today);
	if (rc != 0)
		return rc;
	json_t *duties = json_array();
	for (size_t k = 0; duties && k < s.nduties; k++) {
		const struct cpd_duty *d = &s.duties[k];
		json_t *c = d->filled_by ? cpd_credit_find(desc, d->filled_by) : NULL;
		json_array_append_new(duties, json_pack("{s:s, s:i, s:{s:o, s:o}, s:o, s:s, s:O?}",
			"kind", cpd_course_code(d->course), "cycle_year", d->cycle_year,
			"window", "from", cpd_date_json(d->from), "until", cpd_date_json(d->until),
			"deadline", cpd_date_json(d->deadline), "state", cpd_duty_state_code(d->state),
			"completion", c));
	}
	unsigned cq = cpd_consequences(&s, today);
	json_t *cons = json_array();
	if (cq & CPD_BLOCKS_RENEWAL)
		json_array_append_new(cons, json_string("blocks_renewal"));
	if (cq & CPD_MAY_CANCEL)
		json_array_append_new(cons, json_string("may_cancel"));
	if (cq & CPD_LAPSES)
		json_array_append_new(cons, json_string("lapses"));
	*out = json_pack("{s:s, s:s, s:i, s:{s:o, s:o}, s:o, s:o, s:o, s:s, s:o, s:o, s:o}",
		"regno", reg.regno, "registration_status", reg_status_name(reg.status), "rules_version", s.rules_version,
		"cycle", "from", cpd_date_json(s.cycle_start), "until", cpd_date_json(s.validity_end),
		"application_deadline", cpd_date_json(s.application_deadline), "lapse_on", cpd_date_json(s.lapse_on),
		"today", cpd_date_json(today), "state", cpd_state_code(s.state), "consequences", cons, "duties", duties,
		"completions", desc);
	if (!*out) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	return 0;
}
