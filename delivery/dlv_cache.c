/* Engine-session cache (8-way set-associative, one lock per set) and the per-session rate limit
 * (token bucket). Both are per process: losing them costs a replay, never correctness,
 * because the database holds every response. */
#include "dlv_int.h"

#include "rs_error.h"
#include "rs_util.h"
#include "rs_encode.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define DLV_CACHE_SETS 4096u
#define DLV_CACHE_WAYS 8      /* set-associative: sessions that share a set do not evict each other */

struct dlv_way {
	int64_t id;
	int answered;
	uint64_t used;        /* set-local use counter, for evicting the least recently used */
	struct cat_session *s;
	struct dlv_cmeta meta;
};

struct dlv_slot {
	pthread_mutex_t mu;
	struct dlv_way way[DLV_CACHE_WAYS];
	uint64_t clock;
	/* rate limit */
	int64_t rl_id;
	double tokens;
	int64_t last_ns;
};

static struct dlv_slot dlv_slots[DLV_CACHE_SETS];
static pthread_once_t dlv_slots_once = PTHREAD_ONCE_INIT;

static void dlv_slots_init(void)
{
	for (unsigned i = 0; i < DLV_CACHE_SETS; i++)
		pthread_mutex_init(&dlv_slots[i].mu, NULL);
}

static struct dlv_slot *dlv_slot_for(int64_t id)
{
	pthread_once(&dlv_slots_once, dlv_slots_init);
	return &dlv_slots[cat_mix64((uint64_t)id) % DLV_CACHE_SETS];
}

struct cat_session *dlv_cache_take(struct dlv_cmeta *out_meta, int64_t id, int answered)
{
	struct dlv_slot *sl = dlv_slot_for(id);
	struct cat_session *s = NULL, *stale = NULL;
	pthread_mutex_lock(&sl->mu);
	for (int w = 0; w < DLV_CACHE_WAYS; w++) {
		struct dlv_way *e = &sl->way[w];
		if (e->s && e->id == id) {
			if (e->answered == answered) {
				s = e->s;
				if (out_meta)
					*out_meta = e->meta;
			} else
				stale = e->s;
			e->s = NULL;
			e->id = 0;
			break;
		}
	}
	pthread_mutex_unlock(&sl->mu);
	cat_session_free(stale);
	return s;
}

void dlv_cache_put(int64_t id, struct cat_session *s, int answered, const struct dlv_cmeta *meta)
{
	struct dlv_slot *sl = dlv_slot_for(id);
	struct cat_session *old = NULL;
	pthread_mutex_lock(&sl->mu);
	struct dlv_way *e = NULL;
	for (int w = 0; w < DLV_CACHE_WAYS && !e; w++)
		if (sl->way[w].s && sl->way[w].id == id)
			e = &sl->way[w];
	for (int w = 0; w < DLV_CACHE_WAYS && !e; w++)
		if (!sl->way[w].s)
			e = &sl->way[w];
	if (!e) {
		e = &sl->way[0];
		for (int w = 1; w < DLV_CACHE_WAYS; w++)
			if (sl->way[w].used < e->used)
				e = &sl->way[w];
	}
	old = e->s;
	e->s = s;
	e->id = id;
	e->answered = answered;
	e->meta = *meta;
	e->used = ++sl->clock;
	pthread_mutex_unlock(&sl->mu);
	cat_session_free(old);
}

void dlv_cache_drop(int64_t id)
{
	cat_session_free(dlv_cache_take(NULL, id, -1));
}

#define DLV_RATE_PER_S 20.0
#define DLV_RATE_BURST 100.0

int dlv_rate_check(int64_t session)
{
	struct dlv_slot *sl = dlv_slot_for(session);
	int64_t now = rs_mono_ns();
	int ok;
	pthread_mutex_lock(&sl->mu);
	if (sl->rl_id != session) {
		sl->rl_id = session;
		sl->tokens = DLV_RATE_BURST;
		sl->last_ns = now;
	}
	sl->tokens += (double)(now - sl->last_ns) / 1e9 * DLV_RATE_PER_S;
	if (sl->tokens > DLV_RATE_BURST)
		sl->tokens = DLV_RATE_BURST;
	sl->last_ns = now;
	ok = sl->tokens >= 1.0;
	if (ok)
		sl->tokens -= 1.0;
	pthread_mutex_unlock(&sl->mu);
	if (!ok) {
		dlv_slug_set("rate-limited");
		rs_error_set("Too many requests for this exam session; wait a moment.");
		return RS_EPERM;
	}
	return 0;
}

/* SHA-256 with the algorithm fetched once per process and a context per thread: the one-shot
 * SHA256() of OpenSSL 3 looks the algorithm up again on every call (two hashes per request). */
static EVP_MD *dlv_sha256_md;
static pthread_key_t dlv_sha256_key;   /* the thread's EVP_MD_CTX, freed when the thread ends */
static pthread_once_t dlv_sha256_once = PTHREAD_ONCE_INIT;

static void dlv_sha256_ctx_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void dlv_sha256_init(void)
{
	dlv_sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	pthread_key_create(&dlv_sha256_key, dlv_sha256_ctx_free);
}

static void dlv_sha256(unsigned char *md, const char *text)
{
	pthread_once(&dlv_sha256_once, dlv_sha256_init);
	EVP_MD_CTX *ctx = pthread_getspecific(dlv_sha256_key);
	if (!ctx && (ctx = EVP_MD_CTX_new()) != NULL)
		pthread_setspecific(dlv_sha256_key, ctx);
	unsigned int n = 0;
	if (!dlv_sha256_md || !ctx || EVP_DigestInit_ex2(ctx, dlv_sha256_md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, text, strlen(text)) != 1 || EVP_DigestFinal_ex(ctx, md, &n) != 1)
		SHA256((const unsigned char *)text, strlen(text), md);
}

void dlv_hash_bytea(char *out, const char *text)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	dlv_sha256(md, text);
	out[0] = '\\';
	out[1] = 'x';
	rs_hex_encode(out + 2, md, sizeof md);
}

const char *dlv_band_name(enum cat_band b)
{
	return b == CAT_BAND_ABOVE ? "above" : b == CAT_BAND_NEAR ? "near" : "below";
}

const char *dlv_stop_name(enum cat_stop s)
{
	switch (s) {
	case CAT_STOP_MAX_LENGTH: return "max_length";
	case CAT_STOP_SE: return "se_target";
	case CAT_STOP_CI: return "classified";
	case CAT_STOP_TIME: return "time";
	case CAT_STOP_POOL: return "pool";
	default: return "ended";
	}
}

/* ------------------------------------------------------------------------------------ */
/* Candidate sign-in cache: token hash -> (workstation hash, session), so the answer path
 * does not spend a round trip on it. A hit is provisional: dlv_auth_verify (or the answer
 * statement itself, which checks both hashes) confirms it against the database in the
 * same request, so a moved or finished session is refused exactly as without the cache. */
#define DLV_AUTH_SETS 8192u   /* 4-way set-associative: two sign-ins sharing a set do not
                                * evict each other on every request */
#define DLV_AUTH_WAYS 4

struct dlv_auth_way {
	char th[67], wh[67];
	int64_t session;
	uint64_t used;
};

struct dlv_auth_slot {
	pthread_mutex_t mu;
	struct dlv_auth_way way[DLV_AUTH_WAYS];
	uint64_t clock;
};

static struct dlv_auth_slot dlv_auth_slots[DLV_AUTH_SETS];
static pthread_once_t dlv_auth_once = PTHREAD_ONCE_INIT;
static _Thread_local struct dlv_auth_pending dlv_pending;

static void dlv_auth_init(void)
{
	for (unsigned i = 0; i < DLV_AUTH_SETS; i++)
		pthread_mutex_init(&dlv_auth_slots[i].mu, NULL);
}

static struct dlv_auth_slot *dlv_auth_slot_for(const char *th)
{
	pthread_once(&dlv_auth_once, dlv_auth_init);
	uint64_t h = 0;
	for (int i = 2; i < 18 && th[i]; i++)
		h = h * 16 + (uint64_t)(th[i] <= '9' ? th[i] - '0' : th[i] - 'a' + 10);
	return &dlv_auth_slots[h % DLV_AUTH_SETS];
}

static struct dlv_auth_way *dlv_auth_find(struct dlv_auth_slot *sl, const char *th)
{
	for (int w = 0; w < DLV_AUTH_WAYS; w++)
		if (sl->way[w].session && strcmp(sl->way[w].th, th) == 0)
			return &sl->way[w];
	return NULL;
}

int64_t dlv_auth_cache_get(const char *th, const char *wh)
{
	struct dlv_auth_slot *sl = dlv_auth_slot_for(th);
	int64_t id = 0;
	pthread_mutex_lock(&sl->mu);
	struct dlv_auth_way *e = dlv_auth_find(sl, th);
	if (e && strcmp(e->wh, wh) == 0) {
		id = e->session;
		e->used = ++sl->clock;
	}
	pthread_mutex_unlock(&sl->mu);
	return id;
}

void dlv_auth_cache_put(const char *th, const char *wh, int64_t session)
{
	struct dlv_auth_slot *sl = dlv_auth_slot_for(th);
	pthread_mutex_lock(&sl->mu);
	struct dlv_auth_way *e = dlv_auth_find(sl, th);
	for (int w = 0; w < DLV_AUTH_WAYS && !e; w++)
		if (!sl->way[w].session)
			e = &sl->way[w];
	if (!e) {
		e = &sl->way[0];
		for (int w = 1; w < DLV_AUTH_WAYS; w++)
			if (sl->way[w].used < e->used)
				e = &sl->way[w];
	}
	snprintf(e->th, sizeof e->th, "%s", th);
	snprintf(e->wh, sizeof e->wh, "%s", wh);
	e->session = session;
	e->used = ++sl->clock;
	pthread_mutex_unlock(&sl->mu);
}

void dlv_auth_cache_drop(const char *th)
{
	struct dlv_auth_slot *sl = dlv_auth_slot_for(th);
	pthread_mutex_lock(&sl->mu);
	struct dlv_auth_way *e = dlv_auth_find(sl, th);
	if (e)
		e->session = 0;
	pthread_mutex_unlock(&sl->mu);
}

struct dlv_auth_pending *dlv_auth_pending(void)
{
	return &dlv_pending;
}
