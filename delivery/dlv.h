/* delivery public header: exam delivery at test centres. Scheduling (centres, windows,
 * candidates, bookings, CSV import), proctor actions (identity check, admit, pause, resume,
 * extra time, end, move) and the candidate flow (current item, answer, result) on top of
 * the exam-engine, with every answer committed to PostgreSQL (schema exam) before the next
 * item is sent. The engine state is rebuilt by replaying stored responses, never trusted
 * from a client. Prefix dlv_. */
#ifndef DLV_H
#define DLV_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "rs_attr.h"
#include "rs_db.h"

/* ------------------------------------------------------------------------------------ */
/* Problem slugs: a failing dlv_ call records, besides the rs_error line, a stable slug for
 * the HTTP layer ("time-up", "not-current-item", ...). Valid until the next dlv_ call on
 * the same thread; "" when the failure has no specific slug. */
const char *dlv_slug_last(void);

/* ------------------------------------------------------------------------------------ */
/* The exam as delivered: an exam package published by item-bank (bank.packages: exam
 * definition, engine bank, candidate views, keys), loaded and verified (SHA-256) once per
 * process and kept for its life. A window names its package; there is no other source.
 * dlv_exam_package: the exam of package_id (tests, benchmarks and tools); RS_ESTATE with
 * slug "no-package" for package_id <= 0, else ib_package_load's errors. *out borrowed. */
struct dlv_exam;
int dlv_exam_package(const struct dlv_exam **out, rs_db *db, int64_t package_id);
/* Facts about the loaded exam. */
const char *dlv_exam_code(const struct dlv_exam *ex);
int dlv_exam_time_limit(const struct dlv_exam *ex);
size_t dlv_exam_items(const struct dlv_exam *ex);
/* Key (0..3) of an item by id, for simulators in tests and benchmarks only; -1 unknown. */
int dlv_exam_key_for_tests(const struct dlv_exam *ex, const char *item_id);
/* riss demo (issue 12): simulated sittings run on the package delivery serves. The exam's
 * active package (ib_package_active, then dlv_exam_package): RS_ENOTFOUND, with the catalogue
 * error packages.none_active and slug "no-package", when the exam has none. *out borrowed. */
int dlv_exam_active(const struct dlv_exam **out, rs_db *db, const char *exam);
/* The package's engine parts (borrowed, the process's life; the engine is shared by threads
 * as in rissd) and the key (0..3) of bank item i, for simulators that sit it. */
struct cat_exam;
struct cat_bank;
struct cat_engine;
const struct cat_exam *dlv_exam_def(const struct dlv_exam *ex);
const struct cat_bank *dlv_exam_bank(const struct dlv_exam *ex);
const struct cat_engine *dlv_exam_engine(const struct dlv_exam *ex);
int dlv_exam_key(const struct dlv_exam *ex, size_t i);
/* What a sitting records of it: the package id and SHA-256 (hex), the engine's exam and bank
 * versions (hex, 16 digits). */
int64_t dlv_exam_package_id(const struct dlv_exam *ex);
const char *dlv_exam_package_sha256(const struct dlv_exam *ex);
const char *dlv_exam_exam_version(const struct dlv_exam *ex);
const char *dlv_exam_bank_version(const struct dlv_exam *ex);

/* ------------------------------------------------------------------------------------ */
/* Tokens. A session token and a workstation token are 32 random bytes, base64url (43
 * chars); only their SHA-256 is stored. */
#define DLV_TOKEN_LEN 43
/* New random token into out (DLV_TOKEN_LEN + 1 bytes). */
int dlv_token_new(char *out);

/* ------------------------------------------------------------------------------------ */
/* Candidate flow. Each call runs its own transaction(s) on db. */

/* Authenticate a riss_exam cookie: token must name a live session and ws_token (the riss_ws
 * cookie, may be NULL) must match its workstation binding. RS_EAUTH otherwise. A sign-in
 * found in this process's cache costs no query; it is confirmed against the database by the
 * next dlv_ call for that session in the same request (dlv_current, dlv_begin, dlv_report,
 * or dlv_answer's own statement), which then refuses a moved or stale token with RS_EAUTH. */
int dlv_auth(int64_t *out_session, rs_db *db, const char *token, const char *ws_token);

/* Admission codes: DLV_CODE_LEN characters of DLV_CODE_ALPHABET (no 0/O, 1/I/L: easy to read
 * out and type; 31^12 = 2^59 codes), one-time, 15 minutes. */
#define DLV_CODE_LEN 12
#define DLV_CODE_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
/* The code a person typed, upper-cased and without spaces or hyphens, into out
 * (DLV_CODE_LEN + 1): 0, or RS_EINVAL when it is not a well-formed code. */
int dlv_code_normalise(char *out, const char *in);

/* Redeem a proctor's admission code at a workstation: binds the session to ws_token (the
 * caller creates one when the workstation has none) and returns a fresh session token in
 * out_token (DLV_TOKEN_LEN + 1). A moved session gets a new token and binding; the old
 * ones stop working. RS_EAUTH for an unknown, used or expired code, RS_EINVAL for a
 * malformed one; every refusal is audited (exam.code.refused, with the client address
 * client, which may be NULL). */
int dlv_redeem(char *out_token, int64_t *out_session, rs_db *db, const char *code, const char *ws_token,
               const char *client);

/* The candidate's view now: {"session", "status", "answered", "remaining_s", "time_limit_s",
 * "accommodations": {...}, "item": {...} (while running), "result": {...} (when finished)}.
 * Changes nothing (it serves a GET): a sitting whose time ran out, or whose last answer was
 * stored without the finish, comes with "finishing": "time_up" | "done" and no item, and is
 * closed by dlv_begin. *out owned by caller. */
int dlv_current(json_t **out, rs_db *db, int64_t session);

/* Start the clock after the instructions (admitted -> running); close a sitting that is
 * finishing (time run out, or all answers stored) with its result. Idempotent. */
int dlv_begin(json_t **out, rs_db *db, int64_t session);

/* Answer the item at position: commits the response, then returns the same view as
 * dlv_current (the next item, or the result). Resending an answer already stored returns
 * the item that followed it. Refused (RS_ESTATE / RS_EINVAL with a slug): another item,
 * another position, after the deadline ("time-up"), while paused, after the end. */
int dlv_answer(json_t **out, rs_db *db, int64_t session, int position, const char *item_id, int choice);

/* Per-session rate limit (token bucket in this process: 20 per second, bursts of 100): 0 when allowed, RS_EPERM with
 * slug "rate-limited" otherwise. */
int dlv_rate_check(int64_t session);

/* What the candidate screen polls (about once a second): the state of the sitting bound to
 * this workstation's session token and workstation token, by the server's clock, without
 * item content and without changing anything. {"state": "none"} when there is no sitting,
 * {"state": "moved"} when the proctor moved it to another workstation, else {"state":
 * admitted|running|paused|finished|ended, "session", "version" (bumped by every proctor
 * action), "paused", "remaining_s", "extra_s", "move_pending"}. One indexed query. */
int dlv_status(json_t **out, rs_db *db, const char *token, const char *ws_token);

/* The candidate closes the score report (or it timed out): the finished or ended sitting's
 * token stops working, so the next person at the workstation sees nothing of it. token is
 * the session cookie (its sign-in cache entry is dropped). RS_ESTATE while it runs. */
int dlv_close(rs_db *db, int64_t session, const char *token);

/* Printable score report: result plus candidate name and date, {} fields. */
int dlv_report(json_t **out, rs_db *db, int64_t session);

/* Skill profiles (cpd-tracker): the stored result of a sitting as evidence, {exam_code,
 * passed, complete, pass_date (JST), domains:[{name, band}]}. RS_ENOTFOUND when the sitting
 * has no result. Caller owns *out. */
int dlv_result_evidence(json_t **out, rs_db *db, int64_t session);

/* ------------------------------------------------------------------------------------ */
/* Proctor actions. actor ("staff:<user>") and request_id go to the audit log; centre is
 * the proctor's centre code (NULL = any centre, for agency staff). */
struct dlv_actor {
	const char *actor;
	const char *role;
	const char *centre;     /* NULL: not restricted to a centre */
	const char *request_id;
};

/* The day's bookings at the centre (date "YYYY-MM-DD", NULL = today): {"bookings": [...]}
 * with candidate names, accommodations, status and session state. */
int dlv_proctor_day(json_t **out, rs_db *db, const struct dlv_actor *who, const char *date);
/* Identity documents a proctor may record (exam.bookings.identity_document). */
extern const char *const dlv_identity_documents[];
/* Record the identity check of a booking: the document type (one of
 * dlv_identity_documents) and the last 4 characters of its number (digits or letters). */
int dlv_proctor_identity(rs_db *db, const struct dlv_actor *who, int64_t booking, const char *document,
                         const char *number_tail);
/* Admit a checked-in booking to a seat: creates the session (or, for a session already
 * admitted, issues a new admission code, which is how a move to another workstation is
 * approved). out_code gets a one-time code (DLV_CODE_LEN + 1 bytes) valid 15 minutes. */
int dlv_proctor_admit(char *out_code, int64_t *out_session, rs_db *db, const struct dlv_actor *who,
                      int64_t booking, const char *seat, int move);
/* Pause / resume the clock; extra time in minutes; end with a reason. */
int dlv_proctor_pause(rs_db *db, const struct dlv_actor *who, int64_t session, int pause);
int dlv_proctor_extra(rs_db *db, const struct dlv_actor *who, int64_t session, int minutes);
int dlv_proctor_end(rs_db *db, const struct dlv_actor *who, int64_t session, const char *reason);

/* ------------------------------------------------------------------------------------ */
/* Scheduling (agency). Each create returns the new row as JSON; lists return {"items": []}:
 * kind "centres", "windows" (with "package", "package_sha256", "package_state",
 * "sittings"), "candidates", "bookings", "packages" (those a window may be given). */
int dlv_centre_put(json_t **out, rs_db *db, const struct dlv_actor *who, const json_t *in);
/* A new window gets the exam's active package, or the optional "package" of the request
 * (not retired, of the window's exam); RS_ESTATE with slug "no-package" and
 * schedule.window_no_package when it would name none. *out has "package". */
int dlv_window_put(json_t **out, rs_db *db, const struct dlv_actor *who, const json_t *in);
int dlv_candidate_put(json_t **out, rs_db *db, const struct dlv_actor *who, const json_t *in);
int dlv_booking_put(json_t **out, rs_db *db, const struct dlv_actor *who, const json_t *in);
/* Exam packages: window (exam.windows.id) uses package (bank.packages.id) for the sittings
 * admitted from now on; sittings already admitted keep theirs. The package must load
 * verified, not be retired and be of the window's exam. Audited (exam.window.package).
 * *out: {"id", "exam", "name", "package"}. */
int dlv_window_package(json_t **out, rs_db *db, const struct dlv_actor *who, int64_t window, int64_t package);
/* The same for the schedule desk: refused (RS_ESTATE, slug "conflict",
 * schedule.window_has_sittings) once a sitting was admitted to the window. */
int dlv_window_package_unsat(json_t **out, rs_db *db, const struct dlv_actor *who, int64_t window, int64_t package);
/* Package desk (delivery/store_packages.c): the windows naming a package, {"windows": [{"id",
 * "exam","name","opens_on","closes_on","package","open" (not yet closed, Japan's date)}]},
 * of exam (NULL: all). *out new. */
int dlv_package_windows(json_t **out, rs_db *db, const char *exam);
/* Retire package (ib_package_retire) unless a window that has not closed names it: then
 * RS_ESTATE with pkgdesk.in_use naming the window and slug "conflict". The check and the
 * retirement are two transactions (the package row is item-bank's, the window delivery's). */
int dlv_package_retire(rs_db *db, const struct dlv_actor *who, int64_t package);
/* kind: "centres", "windows", "candidates", "bookings". */
int dlv_sched_list(json_t **out, rs_db *db, const char *kind);

/* CSV booking import: header line
 *   name_kanji,name_kana,name_romaji,birth_date,email,phone,centre,window,sit_on,starts_at,extra_minutes,large_text,high_contrast
 * All rows are checked (format, then against the database); when any row is bad nothing is
 * imported and *out is {"imported": 0, "errors": [{"line", "field", "message_id", "args"?, "message"}]}
 * (message_id a catalogue id csv.*, message its English text) with
 * RS_EINVAL returned; otherwise {"imported": N}. At most DLV_CSV_MAX_BYTES. */
#define DLV_CSV_MAX_BYTES (4u * 1024u * 1024u)
#define DLV_CSV_MAX_ROWS 20000
int dlv_booking_import(json_t **out, rs_db *db, const struct dlv_actor *who, const char *csv, size_t len);

/* CSV parsing alone (no database): rows into an array of objects keyed by header names;
 * errors as above into *out_errors (array, possibly empty). Exposed for tests and fuzzing. */
int dlv_csv_bookings_parse(json_t **out_rows, json_t **out_errors, const char *csv, size_t len);

/* Demo and test data: centre (created if missing), an all-year SG window named window (NULL:
 * "SG all-year (demo)"; created if missing, given the exam's active package when it names
 * none) and count candidates (e-mail <prefix>-<n>@example.jp) booked for today at the centre
 * in that window, identity already checked when checked != 0. Idempotent. *out: {"centre",
 * "window": id, "bookings": [ids]}. */
int dlv_demo_seed(json_t **out, rs_db *db, const char *centre, const char *window, const char *prefix, int count,
                  int checked);

/* Audit replay: rebuild the session from its stored responses alone (exam version, bank
 * version, seed) and report {"session", "answered", "items": [ids in order], "replayed":
 * result by replay, "stored": the stored result or null}. */
int dlv_replay(json_t **out, rs_db *db, int64_t session);

/* ------------------------------------------------------------------------------------ */
/* Bulk load of simulated sittings (riss demo; issue 15). The caller runs the engine (the
 * exam-engine's public API on the exam's active package, dlv_exam_active) and hands over a chunk of
 * people with their bookings; each booking that was sat carries its answers and the
 * engine's result. One transaction per chunk, one multi-row insert per table; ids come
 * from the tables' own sequences. Strings are borrowed for the call. */
struct cat_exam;
struct cat_result;
struct dlv_bulk_person {
	const char *name_kanji, *name_kana, *name_romaji;
	char birth_date[11];          /* YYYY-MM-DD */
	char email[72];               /* unique: (email, birth_date) is the candidate's key */
	struct rs_attrs attrs;        /* statistical attributes, each may be NULL */
};
struct dlv_bulk_sitting {
	size_t person;                /* index into the chunk's persons */
	int64_t window;               /* exam.windows id */
	const char *centre;           /* exam.centres code */
	char sit_on[11], starts_at[6];
	const char *status;           /* booking status: finished, no_show, cancelled, booked */
	char booked_at[32];           /* when the booking was made (timestamptz text) */
	/* Only when sat (result != NULL): */
	const char *identity_document; /* one of dlv_identity_documents */
	char checked_at[32];          /* identity check and admission (timestamptz text) */
	char finished_at[32];
	char seat[8];
	uint64_t seed;                /* engine seed of the session */
	int64_t used_ms;
	size_t nresp;
	const char *const *item_id;   /* per answer, in order: item, choice 0..3, score 0/1, engine clock */
	const uint8_t *choice, *score;
	const uint32_t *elapsed_s;
	const struct cat_result *result;
};
struct dlv_bulk {
	const struct cat_exam *exam;  /* code, domains (the result's domain names) */
	char exam_version[17], bank_version[17]; /* the engine's exam hash and bank version, hex */
	int64_t package_id;           /* the exam package the sittings ran on (dlv_exam_package_id) */
	char package_sha256[65];      /* its SHA-256, hex (dlv_exam_package_sha256) */
	int time_limit_s;
	const struct dlv_bulk_person *persons;
	size_t npersons;
	const struct dlv_bulk_sitting *sittings;
	size_t nsittings;
};
/* Write the chunk (audited once as exam.demo.load). 0 or the database error; nothing of the
 * chunk is written on failure. */
int dlv_bulk_load(rs_db *db, const struct dlv_bulk *b);
/* Candidates whose e-mail address ends in @email_domain, and their results (how riss demo
 * sees that its data is already loaded). */
int dlv_bulk_count(long long *out_candidates, long long *out_results, rs_db *db, const char *email_domain);

#endif
