/* Benchmark: the register's searches on N registrants (default 100,000) — the public search
 * (reg_register_search) and the registrar's paged search and list (reg_wf_find) for typical
 * inputs, beside a primary-key read of one registrant (reg_registrant_get) as the floor.
 * Prints the median and the 95th percentile per input, in milliseconds; asserts nothing.
 * usage: reg_search_bench CONNINFO [N] [ROUNDS] */
#include "reg_register.h"
#include "reg_workflow.h"
#include "rs_db.h"
#include "rs_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double bench_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

enum bench_kind { BENCH_PUBLIC, BENCH_DESK, BENCH_PK };

static void bench_one(rs_db *db, enum bench_kind kind, const char *q, const char *status, int rounds)
{
	double *t = calloc((size_t)rounds, sizeof *t);
	long long found = 0;
	for (int i = 0; i < rounds && t; i++) {
		json_t *out = NULL;
		struct reg_registrant r;
		double t0 = bench_now_ms();
		int rc = kind == BENCH_PUBLIC ? reg_register_search(&out, db, q, REG_SEARCH_MAX, (int64_t)time(NULL))
		         : kind == BENCH_DESK ? reg_wf_find(&out, db, q, status, 20, 0, (int64_t)time(NULL))
		                              : reg_registrant_get(db, &r, q);
		t[i] = bench_now_ms() - t0;
		if (rc != 0) {
			fprintf(stderr, "%s: %s\n", q ? q : "(all)", rs_error_last());
			break;
		}
		found = kind == BENCH_PUBLIC ? (long long)json_array_size(out)
		        : kind == BENCH_DESK ? (long long)json_integer_value(json_object_get(out, "total")) : 1;
		json_decref(out);
	}
	if (t) {
		qsort(t, (size_t)rounds, sizeof *t, bench_cmp);
		printf("  %-8s %-22s %-10s %8lld  %8.2f  %8.2f\n",
		       kind == BENCH_PUBLIC ? "public" : kind == BENCH_DESK ? "desk" : "pk-read", q ? q : "(everyone)",
		       status ? status : "-", found, t[rounds / 2], t[rounds * 95 / 100]);
	}
	free(t);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: reg_search_bench CONNINFO [N] [ROUNDS]\n");
		return 2;
	}
	long n = argc > 2 ? atol(argv[2]) : 100000;
	int rounds = argc > 3 ? atoi(argv[3]) : 50;
	rs_db *db = NULL;
	if (rs_db_open(&db, argv[1]) != 0) {
		fprintf(stderr, "setup: %s\n", rs_error_last());
		return 1;
	}
	/* N registrants, names from ten family and ten given names plus a distinct character,
	 * so a family name alone matches a tenth of the register: a harder mix than real names. */
	char sql[4096];
	snprintf(sql, sizeof sql,
	         "INSERT INTO registry.registrants (regno, name, name_kana, name_latn, date_of_birth, exam_result_ref, "
	         "exam_pass_date, reg_date, valid_from, valid_until, status, published_fields) "
	         "SELECT lpad(i::text, 6, '0'), "
	         "(ARRAY['山田','佐藤','鈴木','高橋','田中','伊藤','渡辺','山本','中村','小林'])[1 + i %% 10] || ' ' || "
	         "(ARRAY['太郎','花子','一郎','次郎','三郎','桜','健','誠','翔','陽'])[1 + (i / 10) %% 10] || chr(19968 + i %% 5000), "
	         "(ARRAY['ヤマダ','サトウ','スズキ','タカハシ','タナカ','イトウ','ワタナベ','ヤマモト','ナカムラ','コバヤシ'])[1 + i %% 10] "
	         "|| ' ' || (ARRAY['タロウ','ハナコ','イチロウ','ジロウ','サブロウ','サクラ','ケン','マコト','ショウ','ヨウ'])[1 + (i / 10) %% 10], "
	         "(ARRAY['Yamada','Sato','Suzuki','Takahashi','Tanaka','Ito','Watanabe','Yamamoto','Nakamura','Kobayashi'])[1 + i %% 10] "
	         "|| ' ' || (ARRAY['Taro','Hanako','Ichiro','Jiro','Saburo','Sakura','Ken','Makoto','Sho','Yo'])[1 + (i / 10) %% 10], "
	         "DATE '1960-01-01' + (i %% 15000), 'bench-' || i, DATE '2025-12-01', DATE '2026-04-01', DATE '2026-04-01', "
	         "DATE '2029-03-31', (ARRAY['active','active','active','active','suspended','cancelled','lapsed'])[1 + i %% 7], "
	         "ARRAY['name','name_kana','name_latn','reg_date','valid_until'] "
	         "FROM generate_series(1, %ld) i ON CONFLICT DO NOTHING", n);
	double t0 = bench_now_ms();
	if (rs_db_exec_plain(db, sql) != 0 || rs_db_exec_plain(db, "ANALYZE registry.registrants, registry.name_terms") != 0) {
		fprintf(stderr, "setup: %s\n", rs_error_last());
		return 1;
	}
	printf("register search on %ld registrants (loaded with their search terms in %.1f s), %d rounds each\n", n,
	       (bench_now_ms() - t0) / 1e3, rounds);
	printf("  %-8s %-22s %-10s %8s  %8s  %8s\n", "kind", "input", "status", "matches", "p50 ms", "p95 ms");
	bench_one(db, BENCH_PK, "000123", NULL, rounds);
	static const char *const inputs[] = { "０００１２３", "山田　太郎一", "山田太郎一", "やまだ　たろう", "太郎一",
	                                      "yamada taro", "ﾔﾏﾀﾞ", "やまだ", "y" };
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
		bench_one(db, BENCH_PUBLIC, inputs[i], NULL, rounds);
	for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
		bench_one(db, BENCH_DESK, inputs[i], NULL, rounds);
	bench_one(db, BENCH_DESK, NULL, NULL, rounds);
	bench_one(db, BENCH_DESK, NULL, "suspended", rounds);
	bench_one(db, BENCH_DESK, "やまだ", "suspended", rounds);
	rs_db_close(db);
	return 0;
}
