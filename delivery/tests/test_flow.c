/* delivery/dlv_flow.c: the candidate's sitting as rules, without a database. Each test is a
 * moment of a sitting a candidate or proctor would notice: starting, answering, the clock
 * running out (with the grace period for an answer already on its way), a pause, a crash
 * between the last answer and the finish, a resend, the engine's clock under extra time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "dlv_flow.h"

#include <string.h>

#define LIMIT_S 7200

static struct dlv_request req(enum dlv_event ev, enum dlv_state st, int64_t elapsed_ms)
{
	return (struct dlv_request){ .ev = ev, .st = st, .elapsed_ms = elapsed_ms, .time_limit_s = LIMIT_S,
	                             .extra_s = 0, .answered = 3, .position = 3 };
}

static void test_states_round_trip(void **state)
{
	(void)state;
	const char *names[] = { "admitted", "running", "paused", "finished", "ended" };
	for (int i = 0; i < 5; i++) {
		enum dlv_state st = dlv_flow_state(names[i]);
		assert_int_not_equal(st, DLV_ST_UNKNOWN);
		assert_string_equal(dlv_flow_state_name(st), names[i]);
	}
	assert_int_equal(dlv_flow_state("sitting"), DLV_ST_UNKNOWN);
	assert_int_equal(dlv_flow_state(NULL), DLV_ST_UNKNOWN);
	assert_true(dlv_flow_live(DLV_ST_PAUSED) && !dlv_flow_live(DLV_ST_ENDED));
	assert_true(dlv_flow_over(DLV_ST_FINISHED) && !dlv_flow_over(DLV_ST_RUNNING));
}

static void test_begin_starts_the_clock_once(void **state)
{
	(void)state;
	struct dlv_request r = req(DLV_EV_BEGIN, DLV_ST_ADMITTED, 0);
	assert_int_equal(dlv_flow_decide(&r).action, DLV_DO_START);
	r.st = DLV_ST_RUNNING;   /* after the start, or a second begin: nothing more happens */
	assert_int_equal(dlv_flow_decide(&r).action, DLV_DO_SHOW);
	/* Looking at the instructions changes nothing; answering before the start is refused. */
	r = req(DLV_EV_VIEW, DLV_ST_ADMITTED, 0);
	assert_int_equal(dlv_flow_decide(&r).action, DLV_DO_SHOW);
	r = req(DLV_EV_ANSWER, DLV_ST_ADMITTED, 0);
	struct dlv_decision d = dlv_flow_decide(&r);
	assert_int_equal(d.action, DLV_DO_REFUSE);
	assert_string_equal(d.slug, "not-started");
	assert_string_equal(d.msg, "exam.not_started");
}

static void test_answers_in_order_while_running(void **state)
{
	(void)state;
	struct dlv_request r = req(DLV_EV_ANSWER, DLV_ST_RUNNING, 60000);
	assert_int_equal(dlv_flow_decide(&r).action, DLV_DO_ANSWER);
	r.position = 5;          /* skipping ahead */
	struct dlv_decision d = dlv_flow_decide(&r);
	assert_int_equal(d.action, DLV_DO_REFUSE);
	assert_string_equal(d.slug, "wrong-position");
	r.position = 1;          /* an earlier position: a resend, compared with what is stored */
	assert_int_equal(dlv_flow_decide(&r).action, DLV_DO_RESEND);
	r = req(DLV_EV_ANSWER, DLV_ST_PAUSED, 60000);
	d = dlv_flow_decide(&r);
	assert_string_equal(d.slug, "session-paused");
	r.st = DLV_ST_ENDED;     /* the proctor ended it */
	d = dlv_flow_decide(&r);
	assert_string_equal(d.slug, "session-finished");
	r.position = 0;          /* ... but a resend of a stored answer still gets its answer */
	assert_int_equal(dlv_flow_decide(&r).action, DLV_DO_RESEND);
}

static void test_time_up_and_the_grace_period(void **state)
{
	(void)state;
	int64_t limit = (int64_t)LIMIT_S * 1000;
	/* A view at the limit shows the sitting finishing (a GET changes nothing). */
	struct dlv_request r = req(DLV_EV_VIEW, DLV_ST_RUNNING, limit);
	struct dlv_decision d = dlv_flow_decide(&r);
	assert_int_equal(d.action, DLV_DO_FINISHING);
	assert_string_equal(d.why, "time_up");
	r.elapsed_ms = limit - 1;
	assert_int_equal(dlv_flow_decide(&r).action, DLV_DO_SHOW);
	/* An answer sent as the clock ran out counts for DLV_FLOW_GRACE_MS more. */
	r = req(DLV_EV_ANSWER, DLV_ST_RUNNING, limit + DLV_FLOW_GRACE_MS - 1);
	assert_int_equal(dlv_flow_decide(&r).action, DLV_DO_ANSWER);
	r.elapsed_ms = limit + DLV_FLOW_GRACE_MS;
	d = dlv_flow_decide(&r);
	assert_int_equal(d.action, DLV_DO_TIME_UP);
	assert_string_equal(d.slug, "time-up");
	assert_string_equal(d.msg, "exam.time_up");
	/* The begin that comes after the time ran out closes it without refusing anything. */
	r.ev = DLV_EV_BEGIN;
	d = dlv_flow_decide(&r);
	assert_int_equal(d.action, DLV_DO_TIME_UP);
	assert_null(d.slug);
	/* A paused clock does not run out. */
	r = req(DLV_EV_ANSWER, DLV_ST_PAUSED, limit * 2);
	assert_string_equal(dlv_flow_decide(&r).slug, "session-paused");
	/* Extra time moves the limit; the remaining time counts it, rounded up, never below 0. */
	r = req(DLV_EV_VIEW, DLV_ST_RUNNING, limit);
	r.extra_s = 600;
	assert_int_equal(dlv_flow_decide(&r).action, DLV_DO_SHOW);
	assert_int_equal(dlv_flow_remaining_s(limit, LIMIT_S, 600), 600);
	assert_int_equal(dlv_flow_remaining_s(limit + 1, LIMIT_S, 600), 600);
	assert_int_equal(dlv_flow_remaining_s(limit + 600000, LIMIT_S, 600), 0);
	assert_int_equal(dlv_flow_remaining_s(limit * 3, LIMIT_S, 600), 0);
	assert_int_equal(dlv_flow_used_ms(limit * 3, LIMIT_S, 600), limit + 600000);
	assert_int_equal(dlv_flow_used_ms(5000, LIMIT_S, 600), 5000);
	assert_int_equal(dlv_flow_deadline_ms(LIMIT_S, 600, true), limit + 600000 + DLV_FLOW_GRACE_MS);
}

static void test_a_crash_after_the_last_answer_is_finished(void **state)
{
	(void)state;
	/* All answers stored, the finish not: a GET shows it finishing, anything else closes it. */
	struct dlv_request r = req(DLV_EV_VIEW, DLV_ST_RUNNING, 1000);
	r.engine_done = true;
	struct dlv_decision d = dlv_flow_decide(&r);
	assert_int_equal(d.action, DLV_DO_FINISHING);
	assert_string_equal(d.why, "done");
	r.ev = DLV_EV_ANSWER;
	d = dlv_flow_decide(&r);
	assert_int_equal(d.action, DLV_DO_FINISH);
	assert_string_equal(d.why, "done");
	/* then, finished: the resend of the last answer gets its answer; a new one is refused. */
	r.st = DLV_ST_FINISHED;
	r.position = 2;
	assert_int_equal(dlv_flow_decide(&r).action, DLV_DO_RESEND);
	r.position = 3;
	assert_string_equal(dlv_flow_decide(&r).slug, "session-finished");
	/* An admitted sitting is never "done" (the engine has asked nothing yet). */
	r = req(DLV_EV_BEGIN, DLV_ST_ADMITTED, 0);
	r.engine_done = true;
	assert_int_equal(dlv_flow_decide(&r).action, DLV_DO_START);
}

static void test_engine_clock_and_score(void **state)
{
	(void)state;
	/* Without extra time the engine's clock is the candidate's, in whole seconds. */
	assert_int_equal(dlv_flow_engine_s(90500, LIMIT_S, LIMIT_S, 0, 0), 90);
	/* With 60 minutes extra the engine sees its own 120 minutes spread over 180. */
	assert_int_equal(dlv_flow_engine_s(5400000, LIMIT_S, LIMIT_S, 3600, 0), 3600);
	/* Never backwards, and below the limit inside the grace period. */
	assert_int_equal(dlv_flow_engine_s(10000, LIMIT_S, LIMIT_S, 0, 42), 42);
	assert_int_equal(dlv_flow_engine_s((int64_t)LIMIT_S * 1000 + 1500, LIMIT_S, LIMIT_S, 0, 7000), LIMIT_S - 1);
	assert_int_equal(dlv_flow_engine_s(-5, LIMIT_S, LIMIT_S, 0, 0), 0);
	assert_int_equal(dlv_flow_score(2, 2), 1);
	assert_int_equal(dlv_flow_score(1, 2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states_round_trip),
		cmocka_unit_test(test_begin_starts_the_clock_once),
		cmocka_unit_test(test_answers_in_order_while_running),
		cmocka_unit_test(test_time_up_and_the_grace_period),
		cmocka_unit_test(test_a_crash_after_the_last_answer_is_finished),
		cmocka_unit_test(test_engine_clock_and_score),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
