/* Helpers shared by the exam-engine unit tests: synthetic banks and the shipped exam. */
#ifndef CAT_TEST_UTIL_H
#define CAT_TEST_UTIL_H

#include "cat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Test-local generator (independent of the engine's own). */
static inline double ctu_u(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) * 0x1.0p-53;
}
static inline double ctu_n(uint64_t *s)
{
	double u1 = 1.0 - ctu_u(s), u2 = ctu_u(s);
	return sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
}

static const char *const ctu_domains[8] = { "basics", "management", "countermeasures", "law", "technology",
                                            "it_management", "strategy", "scenario" };

/* A bank of n items spread over the SG domains (round robin with the shares of the real
 * generator roughly), 3PL in part A, 2PL in part B; pretest share and enemy share given. */
static inline struct cat_bank *ctu_bank(size_t n, uint64_t seed, double pretest_share, double enemy_share)
{
	struct cat_bank *b = calloc(1, sizeof *b);
	b->items = calloc(n, sizeof *b->items);
	b->n = n;
	static const int w[8] = { 14, 14, 14, 10, 9, 8, 8, 23 };
	int cycle[100], k = 0;
	for (int d = 0; d < 8; d++)
		for (int j = 0; j < w[d]; j++)
			cycle[k++] = d;
	for (size_t i = 0; i < n; i++) {
		struct cat_bank_item *it = &b->items[i];
		int d = i < 8 ? (int)i : cycle[(i * 37) % 100];
		snprintf(it->id, sizeof it->id, "T%05zu", i);
		snprintf(it->domain, sizeof it->domain, "%s", ctu_domains[d]);
		snprintf(it->part, sizeof it->part, "%s", d == 7 ? "B" : "A");
		snprintf(it->type, sizeof it->type, "%s", d == 7 ? "scenario" : "mc4");
		it->irt.model = d == 7 ? CAT_2PL : CAT_3PL;
		it->irt.D = 1;
		it->irt.nsteps = 1;
		it->irt.a = exp(0.1 + 0.3 * ctu_n(&seed));
		if (it->irt.a < 0.4) it->irt.a = 0.4;
		it->irt.b = -0.3 + ctu_n(&seed);
		it->irt.c = d == 7 ? 0 : 0.1 + 0.15 * ctu_u(&seed);
		it->status = ctu_u(&seed) < pretest_share ? CAT_PRETEST : CAT_OPERATIONAL;
		it->sh_k = 1;
		if (ctu_u(&seed) < enemy_share)
			snprintf(it->enemy, sizeof it->enemy, "E%zu", i / 3);
	}
	cat_bank_rehash(b);
	return b;
}

static inline char *ctu_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long l = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)l + 1);
	size_t got = fread(buf, 1, (size_t)l, f);
	fclose(f);
	buf[got] = 0;
	*len = got;
	return buf;
}

#define CTU_SG RS_SOURCE_ROOT "/exam-engine/tests/data/sg-2026-variable.json" /* the former SG design: variable length, CI rule */

/* The shipped SG exam, optionally with text replacements applied (from -> to). */
static inline struct cat_exam *ctu_sg_exam(const char *from, const char *to)
{
	size_t len;
	char *t = ctu_read(CTU_SG, &len);
	if (!t)
		return NULL;
	if (from) {
		char *p = strstr(t, from);
		if (!p) {
			free(t);
			return NULL;
		}
		size_t fl = strlen(from), tl = strlen(to);
		char *n = malloc(len - fl + tl + 1);
		memcpy(n, t, (size_t)(p - t));
		memcpy(n + (p - t), to, tl);
		memcpy(n + (p - t) + tl, p + fl, len - (size_t)(p - t) - fl + 1);
		free(t);
		t = n;
		len = strlen(t);
	}
	struct cat_exam *e = NULL;
	if (cat_exam_parse(&e, t, len) != 0)
		e = NULL;
	free(t);
	return e;
}

/* Simulated answer at theta. */
static inline int ctu_answer(const struct cat_item *it, double theta, uint64_t *s)
{
	return ctu_u(s) < cat_prob(it, theta) ? 1 : 0;
}

#endif
