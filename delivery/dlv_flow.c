/* The candidate's sitting as rules (dlv_flow.h): states, the candidate's transitions, the
 * clock, the grace period, the engine's clock and the score, each written here once. Pure:
 * no database, no engine, no clock of its own (the caller passes the stored clock). */
#include "dlv_flow.h"

#include <string.h>

static const char *const dlv_flow_names[] = {
	[DLV_ST_ADMITTED] = "admitted", [DLV_ST_RUNNING] = "running", [DLV_ST_PAUSED] = "paused",
	[DLV_ST_FINISHED] = "finished", [DLV_ST_ENDED] = "ended",
};

enum dlv_state dlv_flow_state(const char *name)
{
	for (int s = DLV_ST_ADMITTED; s < DLV_ST_UNKNOWN; s++)
		if (name && strcmp(name, dlv_flow_names[s]) == 0)
			return (enum dlv_state)s;
	return DLV_ST_UNKNOWN;
}

const char *dlv_flow_state_name(enum dlv_state st)
{
	return st >= DLV_ST_ADMITTED && st < DLV_ST_UNKNOWN ? dlv_flow_names[st] : "unknown";
}

bool dlv_flow_live(enum dlv_state st)
{
	return st == DLV_ST_ADMITTED || st == DLV_ST_RUNNING || st == DLV_ST_PAUSED;
}

bool dlv_flow_over(enum dlv_state st)
{
	return st == DLV_ST_FINISHED || st == DLV_ST_ENDED;
}

int64_t dlv_flow_limit_ms(int time_limit_s, int extra_s)
{
	return ((int64_t)time_limit_s + extra_s) * 1000;
}

int64_t dlv_flow_deadline_ms(int time_limit_s, int extra_s, bool answering)
{
	return dlv_flow_limit_ms(time_limit_s, extra_s) + (answering ? DLV_FLOW_GRACE_MS : 0);
}

bool dlv_flow_time_up(int64_t elapsed_ms, int time_limit_s, int extra_s, bool answering)
{
	return elapsed_ms >= dlv_flow_deadline_ms(time_limit_s, extra_s, answering);
}

int64_t dlv_flow_remaining_s(int64_t elapsed_ms, int time_limit_s, int extra_s)
{
	int64_t rem = (dlv_flow_limit_ms(time_limit_s, extra_s) - elapsed_ms + 999) / 1000;
	return rem < 0 ? 0 : rem;
}

int64_t dlv_flow_used_ms(int64_t elapsed_ms, int time_limit_s, int extra_s)
{
	int64_t lim = dlv_flow_limit_ms(time_limit_s, extra_s);
	return elapsed_ms < lim ? elapsed_ms : lim;
}

int dlv_flow_engine_s(int64_t elapsed_ms, int exam_limit_s, int time_limit_s, int extra_s, int last_engine_s)
{
	int64_t span = (int64_t)time_limit_s + extra_s;
	int64_t e = span > 0 ? (elapsed_ms < 0 ? 0 : elapsed_ms) / 1000 * exam_limit_s / span : 0;
	if (e >= exam_limit_s)
		e = exam_limit_s - 1;
	if (e < last_engine_s)
		e = last_engine_s;
	return (int)e;
}

int dlv_flow_score(int choice, int key)
{
	return choice == key ? 1 : 0;
}

static struct dlv_decision dlv_flow_refuse(const char *slug, const char *msg)
{
	return (struct dlv_decision){ .action = DLV_DO_REFUSE, .slug = slug, .msg = msg };
}

struct dlv_decision dlv_flow_decide(const struct dlv_request *r)
{
	/* The last answer was stored but the finish was not (a crash in between): a GET shows
	 * it finishing, anything else closes it. */
	if (dlv_flow_live(r->st) && r->st != DLV_ST_ADMITTED && r->engine_done)
		return (struct dlv_decision){ .action = r->ev == DLV_EV_VIEW ? DLV_DO_FINISHING : DLV_DO_FINISH, .why = "done" };
	if (r->ev == DLV_EV_BEGIN && r->st == DLV_ST_ADMITTED)
		return (struct dlv_decision){ .action = DLV_DO_START };
	/* The clock ran out: the run-out-of-time rule ends the exam. */
	if (r->st == DLV_ST_RUNNING && dlv_flow_time_up(r->elapsed_ms, r->time_limit_s, r->extra_s, r->ev == DLV_EV_ANSWER)) {
		if (r->ev == DLV_EV_VIEW)
			return (struct dlv_decision){ .action = DLV_DO_FINISHING, .why = "time_up" };
		struct dlv_decision d = { .action = DLV_DO_TIME_UP, .why = "time_up" };
		if (r->ev == DLV_EV_ANSWER) {
			d.slug = "time-up";
			d.msg = "exam.time_up";
		}
		return d;
	}
	if (r->ev != DLV_EV_ANSWER)
		return (struct dlv_decision){ .action = DLV_DO_SHOW };
	/* A resend of a stored answer is not an error (the caller compares it). */
	if (r->position < r->answered)
		return (struct dlv_decision){ .action = DLV_DO_RESEND };
	if (dlv_flow_over(r->st))
		return dlv_flow_refuse("session-finished", "exam.finished");
	if (r->st == DLV_ST_ADMITTED)
		return dlv_flow_refuse("not-started", "exam.not_started");
	if (r->st == DLV_ST_PAUSED)
		return dlv_flow_refuse("session-paused", "exam.paused");
	if (r->st != DLV_ST_RUNNING)
		return dlv_flow_refuse("session-unknown", "exam.session_unknown");
	if (r->position != r->answered)
		return dlv_flow_refuse("wrong-position", "exam.wrong_position");
	return (struct dlv_decision){ .action = DLV_DO_ANSWER };
}
