/* riss bank generate: write a synthetic engine bank (JSON Lines, docs/bank-format.md) with
 * realistic parameters and coverage of the SG blueprint, reproducible from --seed. */
#include "cli.h"

#include "cat.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cli_gen_rng { uint64_t seed, ctr; };

static double cli_gen_u(struct cli_gen_rng *r)
{
	return (double)(cat_mix64(r->seed + 0x9e3779b97f4a7c15ULL * ++r->ctr) >> 11) * 0x1.0p-53;
}

static double cli_gen_normal(struct cli_gen_rng *r)
{
	double u1 = 1.0 - cli_gen_u(r), u2 = cli_gen_u(r);
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static int cli_gen_parse_u64(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	if (!s || !*s || *s == '-')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Domains of the SG blueprint with their share of the bank. */
static const struct { const char *name, *part, *type; double share; } cli_gen_domains[] = {
	{ "basics", "A", "mc4", 0.14 },
	{ "management", "A", "mc4", 0.14 },
	{ "countermeasures", "A", "mc4", 0.14 },
	{ "law", "A", "mc4", 0.10 },
	{ "technology", "A", "mc4", 0.09 },
	{ "it_management", "A", "mc4", 0.08 },
	{ "strategy", "A", "mc4", 0.08 },
	{ "scenario", "B", "scenario", 0.23 },
};

int cli_bank_generate(int argc, char **argv)
{
	unsigned long long nitems = 0, seed = 1;
	int have_n = 0;
	if (cli_wants_help(argc, argv)) {
		printf("usage: riss bank generate --items N [--seed S]\n\n"
		       "Write a synthetic item bank for the adaptive engine to stdout, one JSON object per\n"
		       "line (docs/bank-format.md). Items cover the SG blueprint domains (exam-engine/exams/\n"
		       "sg.json): part A 3PL four-choice items, part B 2PL scenario items; about 8 %% are\n"
		       "pretest items and 10 %% sit in enemy sets of two or three. Same seed, same bank.\n\n"
		       "  --items N   number of items (1..200000)\n"
		       "  --seed S    random seed (default 1)\n");
		return CLI_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--items") == 0 && i + 1 < argc) {
			if (cli_gen_parse_u64(argv[++i], CAT_BANK_MAX_ITEMS, &nitems) || nitems == 0)
				return cli_usage_error("--items must be a whole number in 1..%d", CAT_BANK_MAX_ITEMS);
			have_n = 1;
		} else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			if (cli_gen_parse_u64(argv[++i], UINT64_MAX, &seed))
				return cli_usage_error("--seed must be a whole number");
		} else {
			return cli_usage_error("bank generate: unknown or incomplete option '%s' (see --help)", argv[i]);
		}
	}
	if (!have_n)
		return cli_usage_error("bank generate: --items N is required");

	struct cli_gen_rng r = { .seed = cat_mix64(seed), .ctr = 0 };
	const size_t nd = sizeof cli_gen_domains / sizeof cli_gen_domains[0];
	int enemy_left = 0, enemy_no = 0;
	char line[CAT_BANK_MAX_LINE];
	for (unsigned long long i = 0; i < nitems; i++) {
		struct cat_bank_item it;
		memset(&it, 0, sizeof it);
		/* Domain by share, cycling deterministically so small banks still cover all. */
		size_t d;
		if (i < nd) {
			d = (size_t)i;
		} else {
			double u = cli_gen_u(&r), acc = 0;
			for (d = 0; d < nd - 1; d++) {
				acc += cli_gen_domains[d].share;
				if (u < acc) break;
			}
		}
		snprintf(it.id, sizeof it.id, "SG-%06llu", i + 1);
		snprintf(it.domain, sizeof it.domain, "%s", cli_gen_domains[d].name);
		snprintf(it.part, sizeof it.part, "%s", cli_gen_domains[d].part);
		snprintf(it.type, sizeof it.type, "%s", cli_gen_domains[d].type);
		it.irt.D = 1.0;
		it.irt.nsteps = 1;
		/* log a ~ N(0.1, 0.3) clipped to [0.4, 2.5]; b ~ N(-0.3, 1.0) clipped to [-3.5, 3.5] */
		double a = exp(0.1 + 0.3 * cli_gen_normal(&r));
		a = a < 0.4 ? 0.4 : a > 2.5 ? 2.5 : a;
		double b = -0.3 + cli_gen_normal(&r);
		b = b < -3.5 ? -3.5 : b > 3.5 ? 3.5 : b;
		it.irt.a = round(a * 1000) / 1000;
		it.irt.b = round(b * 1000) / 1000;
		if (cli_gen_domains[d].part[0] == 'A') {
			it.irt.model = CAT_3PL;
			it.irt.c = round((0.12 + 0.14 * cli_gen_u(&r)) * 1000) / 1000; /* four choices: ~0.2 */
		} else {
			it.irt.model = CAT_2PL;
		}
		it.status = cli_gen_u(&r) < 0.08 ? CAT_PRETEST : CAT_OPERATIONAL;
		it.sh_k = 1.0;
		if (enemy_left > 0) {
			snprintf(it.enemy, sizeof it.enemy, "E%05d", enemy_no);
			enemy_left--;
		} else if (cli_gen_u(&r) < 0.04) {
			enemy_no++;
			enemy_left = cli_gen_u(&r) < 0.5 ? 1 : 2;
			snprintf(it.enemy, sizeof it.enemy, "E%05d", enemy_no);
		}
		int l = cat_bank_item_format(line, sizeof line, &it);
		if (l < 0)
			return cli_fail("bank generate: item %s does not fit a line", it.id);
		if (fwrite(line, 1, (size_t)l, stdout) != (size_t)l)
			return cli_fail("bank generate: cannot write to stdout");
	}
	if (fflush(stdout) != 0)
		return cli_fail("bank generate: cannot write to stdout");
	return CLI_OK;
}
