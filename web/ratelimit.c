/* rissd: per-client-address token buckets for the public endpoints (register search, the
 * verify API). Addresses hash into a fixed set-associative table, so memory is bounded
 * whatever the traffic; each address keeps its own bucket (compared whole), and when a set
 * is full the fullest bucket is reused, so no address can refill another's by colliding.
 * Striped locks keep workers apart. */
#include "web.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void web_rl_init(struct web_ratelimit *rl, double rate, double burst)
{
	memset(rl, 0, sizeof *rl);
	rl->rate = rate;
	rl->burst = burst < 1 ? 1 : burst;
	for (int i = 0; i < WEB_RL_STRIPES; i++)
		pthread_mutex_init(&rl->mu[i], NULL);
}

/* Refill b to now. */
static void web_rl_refill(const struct web_ratelimit *rl, struct web_rl_bucket *b, double now)
{
	b->tokens += (now - b->at) * rl->rate;
	if (b->tokens > rl->burst)
		b->tokens = rl->burst;
	b->at = now;
}

/* The set an address hashes to (FNV-1a). */
static unsigned web_rl_set(const char *ip)
{
	unsigned h = 2166136261u;
	for (const char *p = ip; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h % WEB_RL_SETS;
}

int web_rl_allow(struct web_ratelimit *rl, const char *ip, int *retry_after)
{
	if (!(rl->rate > 0))
		return 1; /* limit switched off */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	unsigned set = web_rl_set(ip);
	pthread_mutex_t *mu = &rl->mu[set % WEB_RL_STRIPES];
	pthread_mutex_lock(mu);
	struct web_rl_bucket *ways = &rl->slot[set * WEB_RL_WAYS], *b = NULL, *victim = NULL;
	/* The address's own bucket when it has one (the whole address compared); else a free
	 * way, else the way that is fullest after refill (a full bucket forgets nothing), the
	 * least recently used among equals. An address never inherits or resets another's. */
	for (int i = 0; i < WEB_RL_WAYS && !b; i++)
		if (ways[i].ip[0] && strcmp(ways[i].ip, ip) == 0)
			b = &ways[i];
	if (!b) {
		for (int i = 0; i < WEB_RL_WAYS; i++) {
			struct web_rl_bucket *w = &ways[i];
			if (!w->ip[0]) {
				victim = w;
				break;
			}
			web_rl_refill(rl, w, now);
			if (!victim || w->tokens > victim->tokens || (w->tokens == victim->tokens && w->used < victim->used))
				victim = w;
		}
		b = victim;
		snprintf(b->ip, sizeof b->ip, "%s", ip);
		b->tokens = rl->burst;
		b->at = now;
	}
	web_rl_refill(rl, b, now);
	b->used = now;
	int ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	else
		*retry_after = (int)((1.0 - b->tokens) / rl->rate) + 1;
	pthread_mutex_unlock(mu);
	return ok;
}

void web_rl_refund(struct web_ratelimit *rl, const char *ip)
{
	if (!(rl->rate > 0))
		return;
	unsigned set = web_rl_set(ip);
	pthread_mutex_t *mu = &rl->mu[set % WEB_RL_STRIPES];
	pthread_mutex_lock(mu);
	struct web_rl_bucket *ways = &rl->slot[set * WEB_RL_WAYS];
	for (int i = 0; i < WEB_RL_WAYS; i++) {
		if (ways[i].ip[0] && strcmp(ways[i].ip, ip) == 0) {
			ways[i].tokens += 1.0;
			if (ways[i].tokens > rl->burst)
				ways[i].tokens = rl->burst;
			break;
		}
	}
	pthread_mutex_unlock(mu);
}
