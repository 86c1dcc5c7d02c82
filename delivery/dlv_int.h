/* delivery internals shared by the module's files: the loaded exam, the engine-session
 * cache, SHA-256 helpers and the slug setter. Private to delivery/. */
#ifndef DLV_INT_H
#define DLV_INT_H

#include "dlv.h"

#include "cat.h"

#include <stdbool.h>

struct dlv_content {
	int key;          /* index of the correct option: never leaves the server */
	json_t *view;     /* {"item_id","part","stem","options","scenario"?}: what a candidate sees */
};

struct dlv_exam {
	struct cat_exam *exam;
	struct cat_bank *bank;
	struct cat_engine *eng;
	struct dlv_content *content; /* parallel to bank->items */
	size_t n;
	char exam_version[17], bank_version[17];
};

/* Record the slug for the HTTP layer together with rs_error_set. */
void dlv_slug_set(const char *slug);

/* SHA-256 of text as "\\x<hex>" (bytea input form) into out (67 bytes). */
void dlv_hash_bytea(char *out, const char *text);

/* Engine sessions kept between requests so an answer costs one engine step, not a replay.
 * take: the cached session for id when it has exactly `answered` responses (ownership to
 * the caller), else NULL. put: keep s (ownership to the cache). drop: forget id. */
struct cat_session *dlv_cache_take(int64_t id, int answered);
void dlv_cache_put(int64_t id, struct cat_session *s, int answered);
void dlv_cache_drop(int64_t id);

/* Band name for results. */
const char *dlv_band_name(enum cat_band b);
const char *dlv_stop_name(enum cat_stop s);

#endif
