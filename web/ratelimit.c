/* rissd: per-client-address token buckets for the public endpoints (register search, the
 * verify API). Addresses hash into a fixed table, so memory is bounded whatever the traffic;
 * a collision only makes two addresses share a bucket. Striped locks keep workers apart. */
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

int web_rl_allow(struct web_ratelimit *rl, const char *ip, int *retry_after)
{
	if (!(rl->rate > 0))
		return 1; /* limit switched off */
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	double now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	unsigned h = 2166136261u;
	for (const char *p = ip; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	unsigned k = h % WEB_RL_SLOTS;
	pthread_mutex_t *mu = &rl->mu[k % WEB_RL_STRIPES];
	pthread_mutex_lock(mu);
	struct web_rl_bucket *b = &rl->slot[k];
	if (strcmp(b->ip, ip) != 0) {
		snprintf(b->ip, sizeof b->ip, "%s", ip);
		b->tokens = rl->burst;
		b->at = now;
	}
	b->tokens += (now - b->at) * rl->rate;
	if (b->tokens > rl->burst)
		b->tokens = rl->burst;
	b->at = now;
	int ok = b->tokens >= 1.0;
	if (ok)
		b->tokens -= 1.0;
	else
		*retry_after = (int)((1.0 - b->tokens) / rl->rate) + 1;
	pthread_mutex_unlock(mu);
	return ok;
}
