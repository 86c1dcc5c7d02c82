/* The released tables of this process, keyed by their exact inputs (st_memo.h). A small
 * fixed number of slots, least recently used out; one mutex (rissd's workers share it). */
#include "st_memo.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define ST_MEMO_SLOTS 512

struct st_memo_slot {
	unsigned char *key;
	size_t n;
	json_t *doc;
	unsigned long used; /* st_memo_clock when last read or written */
};

static struct st_memo_slot st_memo_slots[ST_MEMO_SLOTS];
static unsigned long st_memo_clock;
static pthread_mutex_t st_memo_lock = PTHREAD_MUTEX_INITIALIZER;

void st_memo_key_add(struct st_memo_key *k, const void *p, size_t n)
{
	if (k->failed || n == 0)
		return;
	if (k->n + n > k->cap) {
		size_t cap = k->cap ? k->cap : 4096;
		while (cap < k->n + n)
			cap *= 2;
		unsigned char *b = realloc(k->b, cap);
		if (!b) {
			k->failed = 1;
			return;
		}
		k->b = b;
		k->cap = cap;
	}
	memcpy(k->b + k->n, p, n);
	k->n += n;
}

void st_memo_key_free(struct st_memo_key *k)
{
	if (!k)
		return;
	free(k->b);
	k->b = NULL;
	k->n = k->cap = 0;
}

json_t *st_memo_get(const struct st_memo_key *k)
{
	if (k->failed || !k->n)
		return NULL;
	json_t *doc = NULL;
	pthread_mutex_lock(&st_memo_lock);
	for (int i = 0; i < ST_MEMO_SLOTS; i++) {
		struct st_memo_slot *s = &st_memo_slots[i];
		if (s->doc && s->n == k->n && memcmp(s->key, k->b, k->n) == 0) {
			s->used = ++st_memo_clock;
			doc = json_deep_copy(s->doc);
			break;
		}
	}
	pthread_mutex_unlock(&st_memo_lock);
	return doc;
}

void st_memo_put(const struct st_memo_key *k, const json_t *doc)
{
	if (k->failed || !k->n)
		return;
	unsigned char *key = malloc(k->n);
	json_t *copy = json_deep_copy(doc);
	if (!key || !copy) {
		free(key);
		json_decref(copy);
		return;
	}
	memcpy(key, k->b, k->n);
	pthread_mutex_lock(&st_memo_lock);
	struct st_memo_slot *s = &st_memo_slots[0];
	for (int i = 0; i < ST_MEMO_SLOTS; i++) {
		struct st_memo_slot *c = &st_memo_slots[i];
		if (c->doc && c->n == k->n && memcmp(c->key, k->b, k->n) == 0) {
			s = c; /* another worker stored it meanwhile: replace */
			break;
		}
		if (!c->doc || c->used < s->used)
			s = c;
		if (!c->doc)
			break;
	}
	free(s->key);
	json_decref(s->doc);
	s->key = key;
	s->n = k->n;
	s->doc = copy;
	s->used = ++st_memo_clock;
	pthread_mutex_unlock(&st_memo_lock);
}

void st_memo_clear(void)
{
	pthread_mutex_lock(&st_memo_lock);
	for (int i = 0; i < ST_MEMO_SLOTS; i++) {
		free(st_memo_slots[i].key);
		json_decref(st_memo_slots[i].doc);
		memset(&st_memo_slots[i], 0, sizeof st_memo_slots[i]);
	}
	pthread_mutex_unlock(&st_memo_lock);
}
