/* A fixed-size pool of database connections, opened lazily and reopened after loss. */
#include "rs_db.h"
#include "rs_error.h"

#include <errno.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct rs_db_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	char *conninfo;
	int size;
	int nfree;       /* slots in free_list */
	rs_db **free_list; /* idle connections (NULL = not yet opened) */
	int in_use, waiting;
	uint64_t acquired, timeouts;
};

int rs_db_pool_new(rs_db_pool **out, const char *conninfo, int size)
{
	rs_db_pool *p = calloc(1, sizeof *p);
	if (!p || !(p->conninfo = strdup(conninfo)) || !(p->free_list = calloc((size_t)size, sizeof *p->free_list))) {
		if (p)
			free(p->conninfo);
		free(p);
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	p->size = size;
	p->nfree = size; /* every slot free, each still unopened */
	*out = p;
	return 0;
}

void rs_db_pool_free(rs_db_pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nfree; i++)
		rs_db_close(p->free_list[i]);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->freed);
	free(p->free_list);
	free(p->conninfo);
	free(p);
}

int rs_db_pool_get(rs_db **out, rs_db_pool *p, int timeout_ms)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->lock);
	p->waiting++;
	while (p->nfree == 0) {
		if (pthread_cond_timedwait(&p->freed, &p->lock, &deadline) == ETIMEDOUT && p->nfree == 0) {
			p->waiting--;
			p->timeouts++;
			pthread_mutex_unlock(&p->lock);
			char size[16];
			snprintf(size, sizeof size, "%d", p->size);
			rs_error_msg("db.busy", size, NULL);
			return RS_EUNAVAIL;
		}
	}
	p->waiting--;
	rs_db *db = p->free_list[--p->nfree];
	p->in_use++;
	p->acquired++;
	pthread_mutex_unlock(&p->lock);

	/* Open or repair outside the lock: connecting can take a while. */
	int rc = 0;
	if (!db)
		rc = rs_db_open(&db, p->conninfo);
	else if (!rs_db_ok(db))
		rc = RS_EUNAVAIL, rs_error_msg("db.lost", NULL);
	if (rc != 0) {
		if (db && rc == RS_EUNAVAIL) {
			rs_db_close(db);
			db = NULL;
		}
		rs_db_pool_put(p, db);
		return rc;
	}
	*out = db;
	return 0;
}

void rs_db_pool_put(rs_db_pool *p, rs_db *db)
{
	pthread_mutex_lock(&p->lock);
	p->free_list[p->nfree++] = db;
	p->in_use--;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

void rs_db_pool_stats(const rs_db_pool *p, struct rs_db_pool_stats *out)
{
	rs_db_pool *mp = (rs_db_pool *)(uintptr_t)p;
	pthread_mutex_lock(&mp->lock);
	out->size = p->size;
	out->in_use = p->in_use;
	out->waiting = p->waiting;
	out->acquired = p->acquired;
	out->timeouts = p->timeouts;
	pthread_mutex_unlock(&mp->lock);
}
