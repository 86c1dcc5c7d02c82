/* The candidate's sitting as rules, written once and with no I/O (delivery/dlv_flow.c): its
 * states and the candidate's transitions, the clock (time limit with extra time, the grace
 * period for an answer sent as the time runs out, the engine's clock) and the score of an
 * answer. store_session.c loads and stores; it asks these functions what to do. Private to
 * delivery/. */
#ifndef DLV_FLOW_H
#define DLV_FLOW_H

#include <stdbool.h>
#include <stdint.h>

/* An answer sent this long after the clock ran out still counts (network and a slow click). */
#define DLV_FLOW_GRACE_MS 2000

/* exam.sessions.status */
enum dlv_state { DLV_ST_ADMITTED, DLV_ST_RUNNING, DLV_ST_PAUSED, DLV_ST_FINISHED, DLV_ST_ENDED, DLV_ST_UNKNOWN };
enum dlv_state dlv_flow_state(const char *name);
const char *dlv_flow_state_name(enum dlv_state st);
/* admitted, running or paused: the engine session is live. */
bool dlv_flow_live(enum dlv_state st);
/* finished or ended: there is a result (or an end), nothing more to do. */
bool dlv_flow_over(enum dlv_state st);

/* The clock of a sitting: its limit (the exam's, stretched by the candidate's extra time). */
int64_t dlv_flow_limit_ms(int time_limit_s, int extra_s);
/* The last moment (time used, ms) at which the sitting still runs: the limit, and for an
 * answer (answering) the grace period beyond it. */
int64_t dlv_flow_deadline_ms(int time_limit_s, int extra_s, bool answering);
/* The time ran out: elapsed_ms at or past dlv_flow_deadline_ms. */
bool dlv_flow_time_up(int64_t elapsed_ms, int time_limit_s, int extra_s, bool answering);
/* Whole seconds left, rounded up, never negative. */
int64_t dlv_flow_remaining_s(int64_t elapsed_ms, int time_limit_s, int extra_s);
/* The time used as stored at the finish: elapsed, at most the limit. */
int64_t dlv_flow_used_ms(int64_t elapsed_ms, int time_limit_s, int extra_s);
/* The engine's clock for an answer at elapsed_ms: the exam's own limit exam_limit_s spread
 * over the sitting's limit (extra time does not make the engine think time is short), never
 * below the previous answer's (last_engine_s), and below exam_limit_s for an answer inside
 * the grace period (the engine would end the test otherwise). */
int dlv_flow_engine_s(int64_t elapsed_ms, int exam_limit_s, int time_limit_s, int extra_s, int last_engine_s);
/* The score of a choice: 1 for the key, else 0. */
int dlv_flow_score(int choice, int key);

/* What the candidate asked for. */
enum dlv_event { DLV_EV_VIEW, DLV_EV_BEGIN, DLV_EV_ANSWER };

/* A candidate's request on a sitting in state st (its clock at elapsed_ms, answered
 * responses stored, engine_done when the engine has nothing more to ask), decided. */
enum dlv_action {
	DLV_DO_SHOW,          /* answer with the view as it is */
	DLV_DO_START,         /* admitted -> running: start the clock, then show */
	DLV_DO_FINISHING,     /* over but not closed (GET): show with "finishing": why, change nothing */
	DLV_DO_FINISH,        /* close it now with the result (why), then show */
	DLV_DO_TIME_UP,       /* the clock ran out: end with the run-out-of-time rule, then show (an
	                       * answer is refused after that, slug "time-up") */
	DLV_DO_RESEND,        /* position already answered: compare with the stored answer */
	DLV_DO_ANSWER,        /* store the answer at position `answered` */
	DLV_DO_REFUSE,        /* refuse: slug and msg */
};
struct dlv_decision {
	enum dlv_action action;
	const char *why;      /* DLV_DO_FINISHING / DLV_DO_FINISH: "done" or "time_up" */
	const char *slug;     /* DLV_DO_REFUSE (and DLV_DO_TIME_UP on an answer): problem slug */
	const char *msg;      /*   and catalogue id */
};
struct dlv_request {
	enum dlv_event ev;
	enum dlv_state st;
	int64_t elapsed_ms;
	int time_limit_s, extra_s;
	int answered;         /* responses stored */
	bool engine_done;     /* the engine has nothing more to ask (all answers stored) */
	int position;         /* DLV_EV_ANSWER: the position answered */
};
/* The one decision; st after it: DLV_DO_START running, DLV_DO_FINISH / DLV_DO_TIME_UP
 * finished. Callers loop no further: after DLV_DO_START an answer cannot be pending. */
struct dlv_decision dlv_flow_decide(const struct dlv_request *r);

#endif
