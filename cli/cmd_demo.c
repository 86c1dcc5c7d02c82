/* riss demo: a year of simulated sittings for the statistics (issue 15). People with the
 * attributes the agency collects, drawn from plausible distributions, book at test centres
 * in several prefectures; most sit, some cancel or do not come, some who fail sit again.
 * Every sitting runs through the real adaptive engine on the exam's active package, loaded
 * through delivery as real sittings are (dlv_exam_active), with answers simulated from the
 * items' IRT parameters; each sitting records the package's id and SHA-256, so `riss exam
 * replay` reproduces it. Then a register of earlier passers with renewals, lapses
 * and cancellations, and their training completions. Everything follows from --seed and
 * --until: the same pair gives the same rows and the same digest. Writes go through
 * delivery's, registry's and cpd-tracker's bulk store functions, one transaction a chunk. */
#include "cli.h"

#include "cat.h"
#include "cpd_bulk.h"
#include "dlv.h"
#include "reg_bulk.h"
#include "rs_attr.h"
#include "rs_db.h"
#include "rs_error.h"
#include "rs_util.h"

#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEMO_DOMAIN "demo.example.jp"   /* candidates' e-mail domain: marks the demo's rows */
#define DEMO_MAX_SITTINGS 3
#define DEMO_CHUNK_PERSONS 1500

/* ---- deterministic randomness: splitmix64 streams keyed by (seed, purpose, index) ---- */
struct demo_rng {
	uint64_t s;
};

static void demo_rng_init(struct demo_rng *r, uint64_t seed, uint64_t purpose, uint64_t idx)
{
	r->s = cat_mix64(seed ^ cat_mix64(purpose * 0x9E3779B97F4A7C15ull ^ cat_mix64(idx + 1)));
}

static uint64_t demo_next(struct demo_rng *r)
{
	r->s += 0x9E3779B97F4A7C15ull;
	return cat_mix64(r->s);
}

static double demo_unif(struct demo_rng *r)
{
	return (double)(demo_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

static double demo_normal(struct demo_rng *r)
{
	double u = demo_unif(r), v = demo_unif(r);
	return sqrt(-2.0 * log(u > 1e-300 ? u : 1e-300)) * cos(6.283185307179586 * v);
}

static int demo_int(struct demo_rng *r, int lo, int hi) /* lo..hi inclusive */
{
	return lo + (int)(demo_next(r) % (uint64_t)(hi - lo + 1));
}

/* Index drawn by weights w[0..n-1]. */
static size_t demo_pick(struct demo_rng *r, const double *w, size_t n)
{
	double t = 0;
	for (size_t i = 0; i < n; i++)
		t += w[i];
	double x = demo_unif(r) * t;
	for (size_t i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

/* ---- days as integers (days since 1970-01-01, rs_days_from_civil) ---- */
static void demo_date(char out[11], long z)
{
	int y, m, d;
	rs_civil_from_days(z, &y, &m, &d);
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

static int demo_parse_date(long *out, const char *s)
{
	int y, m, d;
	char extra;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	*out = rs_days_from_civil(y, m, d);
	int y2, m2, d2;
	rs_civil_from_days(*out, &y2, &m2, &d2);
	return y2 == y && m2 == m && d2 == d ? 0 : -1;
}

/* The first 1 April or 1 October on or after day z. */
static long demo_next_reg_date(long z)
{
	int y, m, d;
	rs_civil_from_days(z, &y, &m, &d);
	long apr = rs_days_from_civil(y, 4, 1), oct = rs_days_from_civil(y, 10, 1);
	if (z <= apr)
		return apr;
	if (z <= oct)
		return oct;
	return rs_days_from_civil(y + 1, 4, 1);
}

static long demo_add_years(long z, int n)
{
	int y, m, d;
	rs_civil_from_days(z, &y, &m, &d);
	return rs_days_from_civil(y + n, m, d);
}

/* ---- the population ---- */
static const struct {
	const char *kanji, *kana, *latn;
} demo_family[] = {
	{ "佐藤", "サトウ", "Sato" }, { "鈴木", "スズキ", "Suzuki" }, { "高橋", "タカハシ", "Takahashi" },
	{ "田中", "タナカ", "Tanaka" }, { "伊藤", "イトウ", "Ito" }, { "渡辺", "ワタナベ", "Watanabe" },
	{ "山本", "ヤマモト", "Yamamoto" }, { "中村", "ナカムラ", "Nakamura" }, { "小林", "コバヤシ", "Kobayashi" },
	{ "加藤", "カトウ", "Kato" }, { "吉田", "ヨシダ", "Yoshida" }, { "山田", "ヤマダ", "Yamada" },
	{ "佐々木", "ササキ", "Sasaki" }, { "山口", "ヤマグチ", "Yamaguchi" }, { "松本", "マツモト", "Matsumoto" },
	{ "井上", "イノウエ", "Inoue" }, { "木村", "キムラ", "Kimura" }, { "林", "ハヤシ", "Hayashi" },
	{ "清水", "シミズ", "Shimizu" }, { "斎藤", "サイトウ", "Saito" },
};
static const struct {
	const char *kanji, *kana, *latn;
} demo_given[] = {
	{ "翔太", "ショウタ", "Shota" }, { "陽菜", "ヒナ", "Hina" }, { "大輔", "ダイスケ", "Daisuke" },
	{ "美咲", "ミサキ", "Misaki" }, { "健太", "ケンタ", "Kenta" }, { "さくら", "サクラ", "Sakura" },
	{ "拓也", "タクヤ", "Takuya" }, { "葵", "アオイ", "Aoi" }, { "直樹", "ナオキ", "Naoki" },
	{ "結衣", "ユイ", "Yui" }, { "亮", "リョウ", "Ryo" }, { "真由美", "マユミ", "Mayumi" },
	{ "浩二", "コウジ", "Koji" }, { "恵", "メグミ", "Megumi" }, { "誠", "マコト", "Makoto" },
	{ "彩", "アヤ", "Aya" }, { "隆", "タカシ", "Takashi" }, { "愛", "アイ", "Ai" },
	{ "悠斗", "ユウト", "Yuto" }, { "七海", "ナナミ", "Nanami" },
};
#define DEMO_NFAMILY (sizeof demo_family / sizeof demo_family[0])
#define DEMO_NGIVEN (sizeof demo_given / sizeof demo_given[0])

/* Prefecture weights: population in 100,000s (2020 census, rounded), people in and around
 * Tokyo counted twice over (IT work gathers there). */
static const double demo_pref_w[47] = {
	52, 12, 12, 23, 10, 11, 18, 29, 19, 19, 73 * 1.5, 63 * 1.5, 140 * 2, 92 * 1.5, 22, 10, 11, 8, 8, 20,
	20, 36, 75, 18, 14, 26, 88, 55, 13, 9, 6, 7, 19, 28, 13, 7, 10, 13, 7, 51, 8, 13, 17, 11, 11, 16, 15,
};

/* Test centres: code, name, prefecture text, JIS code, seats. */
static const struct {
	const char *code, *name, *pref, *jis;
	int seats;
} demo_centres[] = {
	{ "DEMO-SAPPORO-01", "札幌テストセンター", "北海道", "01", 30 },
	{ "DEMO-SENDAI-01", "仙台テストセンター", "宮城県", "04", 30 },
	{ "DEMO-SAITAMA-01", "さいたまテストセンター", "埼玉県", "11", 40 },
	{ "DEMO-TOKYO-01", "東京新宿テストセンター", "東京都", "13", 80 },
	{ "DEMO-TOKYO-02", "東京秋葉原テストセンター", "東京都", "13", 60 },
	{ "DEMO-YOKOHAMA-01", "横浜テストセンター", "神奈川県", "14", 50 },
	{ "DEMO-NAGOYA-01", "名古屋テストセンター", "愛知県", "23", 50 },
	{ "DEMO-KYOTO-01", "京都テストセンター", "京都府", "26", 30 },
	{ "DEMO-OSAKA-01", "大阪梅田テストセンター", "大阪府", "27", 70 },
	{ "DEMO-HIROSHIMA-01", "広島テストセンター", "広島県", "34", 30 },
	{ "DEMO-FUKUOKA-01", "福岡テストセンター", "福岡県", "40", 50 },
	{ "DEMO-NAHA-01", "那覇テストセンター", "沖縄県", "47", 20 },
};
#define DEMO_NCENTRES (sizeof demo_centres / sizeof demo_centres[0])

/* The centre a resident of prefecture p (1..47) books at. */
static size_t demo_centre_for(int p, struct demo_rng *r)
{
	if (p == 1) return 0;
	if (p <= 7) return 1;
	if (p == 11 || p == 8 || p == 9 || p == 10) return 2;
	if (p == 13 || p == 12 || p == 19 || p == 20 || p == 15) return demo_unif(r) < 0.55 ? 3 : 4;
	if (p == 14) return 5;
	if (p <= 24) return 6;
	if (p == 25 || p == 26) return 7;
	if (p <= 30) return 8;
	if (p <= 39) return 9;
	if (p <= 46) return 10;
	return 11;
}

/* Occupations in rs_attr order with weights and the ability shift of each. */
static const double demo_occ_w[15] = { 6, 22, 10, 7, 9, 5, 1, 5, 5, 6, 12, 2, 4, 5, 1 };
static const double demo_occ_theta[15] = { 0.2, 0.2, 0.1, 0.25, 0.35, 0.15, 0.3, 0.0, 0.0, -0.35, -0.25, 0.2, -0.2, -0.2, -0.3 };
/* Industries A..T for IT work and for other work. */
static const double demo_ind_it[20] = { 0.1, 0.05, 0.05, 1, 6, 1, 62, 1.5, 3, 6, 0.5, 5, 0.2, 0.5, 1, 1.5, 0.3, 7, 4, 0.5 };
static const double demo_ind_other[20] = { 1, 0.3, 0.3, 6, 22, 3, 8, 6, 12, 14, 3, 6, 2, 2, 4, 6, 1, 10, 8, 1 };
static const double demo_emp_w[6] = { 82, 6, 4, 3, 4, 1 };

struct demo_person {
	int fam, giv;
	long dob;
	int occupation;            /* index into rs_attr occupations */
	struct rs_attrs attrs;
	double theta;
	int nsit;                  /* bookings 1..DEMO_MAX_SITTINGS */
	size_t first_sitting;      /* index into the sittings */
};

struct demo_sitting {
	size_t person;
	long day;
	int centre, slot;
	const char *status;        /* finished, no_show, cancelled, booked */
	long booked_day;
	/* filled by the simulation when finished: */
	uint64_t seed;
	size_t nresp;
	uint32_t *item;            /* bank indices */
	uint8_t *choice, *score;
	uint32_t *elapsed;
	struct cat_result result;
};

static const char *demo_code(enum rs_attr_kind k, size_t i)
{
	size_t n;
	return rs_attr_codes(k, &n)[i];
}

/* Attributes: each answered but for a few who leave it blank. */
static void demo_attrs(struct rs_attrs *a, int *out_occ, int pref, struct demo_rng *r, double it_boost)
{
	double w[15];
	memcpy(w, demo_occ_w, sizeof w);
	for (int i = 0; i < 9; i++)
		w[i] *= it_boost;
	int occ = (int)demo_pick(r, w, 15);
	const char *oc = demo_code(RS_ATTR_OCCUPATION, (size_t)occ);
	int working = strcmp(oc, "student") != 0 && strcmp(oc, "not_employed") != 0;
	a->v[RS_ATTR_PREFECTURE] = demo_code(RS_ATTR_PREFECTURE, (size_t)pref - 1);
	a->v[RS_ATTR_OCCUPATION] = oc;
	a->v[RS_ATTR_INDUSTRY] = working ? demo_code(RS_ATTR_INDUSTRY, demo_pick(r, occ < 9 ? demo_ind_it : demo_ind_other, 20)) : NULL;
	a->v[RS_ATTR_EMPLOYER_TYPE] = working ? demo_code(RS_ATTR_EMPLOYER_TYPE, demo_pick(r, demo_emp_w, 5))
	                                      : demo_code(RS_ATTR_EMPLOYER_TYPE, 5);
	if (a->v[RS_ATTR_INDUSTRY] && strcmp(a->v[RS_ATTR_INDUSTRY], "S") == 0)
		a->v[RS_ATTR_EMPLOYER_TYPE] = "government";
	for (int k = 0; k < RS_ATTR_N; k++)
		if (demo_unif(r) < 0.03)
			a->v[k] = NULL;  /* not answered */
	*out_occ = occ;
}

static long demo_age_dob(struct demo_rng *r, long on_day, const char *occ)
{
	double age;
	if (occ && strcmp(occ, "student") == 0)
		age = 19 + 5 * demo_unif(r);
	else if (occ && strcmp(occ, "not_employed") == 0)
		age = 45 + 12 * demo_normal(r);
	else
		age = 37 + 9 * demo_normal(r);
	if (age < 17) age = 17 + demo_unif(r);
	if (age > 69) age = 69 - demo_unif(r);
	return on_day - (long)(age * 365.2425);
}

/* A sitting day in [from, to]: weekends busier. */
static long demo_day(struct demo_rng *r, long from, long to)
{
	for (;;) {
		long d = from + (long)(demo_next(r) % (uint64_t)(to - from + 1));
		long dow = ((d % 7) + 11) % 7; /* 0 = Monday (1970-01-01 was a Thursday) */
		if (dow >= 5 || demo_unif(r) < 0.6)
			return d;
	}
}

/* ---- the engine: the exam's active package, as delivery serves it ---- */
#define DEMO_EXAM "SG"
struct demo_engine {
	const struct dlv_exam *ex; /* borrowed from delivery for the process's life */
	const struct cat_exam *exam;
	const struct cat_bank *bank;
	const struct cat_engine *eng;
};

/* The catalogue error in both languages, Japanese first (as a person reads it). */
static int demo_fail_msg(void)
{
	char ja[512], en[512];
	return cli_fail("demo: %s\n%s", rs_error_last_text(ja, sizeof ja, 0), rs_error_last_text(en, sizeof en, 1));
}

static int demo_engine_load(struct demo_engine *e, rs_db *db)
{
	int rc = dlv_exam_active(&e->ex, db, DEMO_EXAM);
	if (rc == RS_ENOTFOUND) {
		rs_error_msg("demo_pkg.no_package", DEMO_EXAM, NULL);
		return demo_fail_msg();
	}
	if (rc != 0)
		return demo_fail_msg();
	e->exam = dlv_exam_def(e->ex);
	e->bank = dlv_exam_bank(e->ex);
	e->eng = dlv_exam_engine(e->ex);
	return CLI_OK;
}

/* One sitting through the engine: answers from the person's ability, 40-110 s an item. */
static int demo_sit(struct demo_sitting *s, const struct demo_engine *e, double theta, uint64_t seed)
{
	struct demo_rng r;
	demo_rng_init(&r, seed, 7, 0);
	struct cat_session *ses = NULL;
	size_t cap = (size_t)e->exam->max_items + (size_t)e->exam->pretest_items + 1;
	s->item = malloc(cap * sizeof *s->item);
	s->choice = malloc(cap);
	s->score = malloc(cap);
	s->elapsed = malloc(cap * sizeof *s->elapsed);
	if (!s->item || !s->choice || !s->score || !s->elapsed)
		return RS_ENOMEM;
	s->seed = seed;
	if (cat_session_new(&ses, e->eng, seed) != 0)
		return RS_EINTERNAL;
	uint32_t clock = 0;
	size_t it;
	s->nresp = 0;
	while (!cat_session_done(ses) && s->nresp < cap && cat_session_next(ses, &it) == 0) {
		int x = demo_unif(&r) < cat_prob(&e->bank->items[it].irt, theta);
		clock += (uint32_t)demo_int(&r, 40, 110);
		if (cat_session_answer(ses, it, x, clock) != 0) {
			cat_session_free(ses);
			return RS_EINTERNAL;
		}
		int key = dlv_exam_key(e->ex, it);
		s->item[s->nresp] = (uint32_t)it;
		s->score[s->nresp] = (uint8_t)x;
		s->choice[s->nresp] = (uint8_t)(x ? key : (key + demo_int(&r, 1, 3)) % 4);
		s->elapsed[s->nresp] = clock;
		s->nresp++;
	}
	int rc = cat_session_result(ses, &s->result);
	cat_session_free(ses);
	return rc ? RS_EINTERNAL : 0;
}

struct demo_job {
	const struct demo_engine *e;
	struct demo_sitting *sit;
	const struct demo_person *people;
	size_t from, to;
	uint64_t seed;
	int rc;
};

static void *demo_thread(void *arg)
{
	struct demo_job *j = arg;
	for (size_t i = j->from; i < j->to && j->rc == 0; i++) {
		struct demo_sitting *s = &j->sit[i];
		if (strcmp(s->status, "finished") != 0)
			continue;
		const struct demo_person *p = &j->people[s->person];
		double theta = p->theta + 0.25 * (double)(i - p->first_sitting); /* a retake after more study */
		j->rc = demo_sit(s, j->e, theta, cat_mix64(j->seed ^ cat_mix64(0x5e55 + i)));
	}
	return NULL;
}

/* ---- the digest: every generated row in a canonical line ---- */
static void demo_dig(EVP_MD_CTX *md, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void demo_dig(EVP_MD_CTX *md, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n > 0)
		EVP_DigestUpdate(md, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static const char *demo_or(const char *s)
{
	return s ? s : "-";
}

static double demo_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

struct demo_opts {
	uint64_t seed;
	long results, registrants, threads;
	long until;
	int dry_run, json;
};

static int demo_usage(void)
{
	printf("usage: riss demo [--seed N] [--results N] [--registrants N] [--until YYYY-MM-DD]\n"
	       "                 [--threads N] [--dry-run] [--json]\n\n"
	       "Load demo data for the statistics: a year (to --until, default today in Japan) of simulated\n"
	       "sittings of the SG exam at 12 test centres in 11 prefectures, by people with the attributes\n"
	       "the agency collects (prefecture, occupation, industry, employer type, date of birth), each\n"
	       "sitting through the adaptive engine on the exam's active package (riss bank publish --exam SG\n"
	       "--activate publishes one), which each sitting records; bookings of people who cancelled or\n"
	       "did not come and bookings still to come; then a register of passers since 2016 with renewals,\n"
	       "lapses and cancellations, and their training completions (courses of deploy/demo/50_cpd.sh).\n"
	       "The same --seed and --until give the same rows and the same digest. Does nothing when the\n"
	       "database already holds the demo's candidates (e-mail @" DEMO_DOMAIN "). The registrants are\n"
	       "written without credentials: riss credential issue --missing then issues one to each active\n"
	       "registrant through riss-signd (deploy/demo/70_stats.sh does both).\n\n"
	       "  --seed N          random seed (default 1)\n"
	       "  --results N       at least this many exam results (default 20000)\n"
	       "  --registrants N   demo registrants (default 3000)\n"
	       "  --threads N       engine threads (default 2)\n"
	       "  --dry-run         generate and print counts and digest; write nothing\n"
	       "  --json            print {\"seed\", \"until\", \"candidates\", \"bookings\", \"results\", \"responses\",\n"
	       "                    \"passed\", \"registrants\", \"completions\", \"digest\", \"seconds\", \"loaded\"}\n");
	return CLI_OK;
}

static int demo_parse(struct demo_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' }, { "results", required_argument, NULL, 'r' },
		{ "registrants", required_argument, NULL, 'g' }, { "until", required_argument, NULL, 'u' },
		{ "threads", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'd' }, { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->results = 20000;
	o->registrants = 3000;
	o->threads = 2;
	/* Today in Japan (UTC+9, no summer time). */
	o->until = (long)((time(NULL) + 9 * 3600) / 86400);
	optind = 1;
	opterr = 0;
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->seed = strtoull(optarg, &end, 10);
			if (!optarg[0] || *end)
				return cli_usage_error("demo: --seed must be a number, not '%s'", optarg);
			break;
		case 'r':
			o->results = strtol(optarg, &end, 10);
			if (*end || o->results < 1 || o->results > 2000000)
				return cli_usage_error("demo: --results must be 1..2000000");
			break;
		case 'g':
			o->registrants = strtol(optarg, &end, 10);
			if (*end || o->registrants < 0 || o->registrants > 500000)
				return cli_usage_error("demo: --registrants must be 0..500000");
			break;
		case 't':
			o->threads = strtol(optarg, &end, 10);
			if (*end || o->threads < 1 || o->threads > 16)
				return cli_usage_error("demo: --threads must be 1..16");
			break;
		case 'u':
			if (demo_parse_date(&o->until, optarg) != 0 || o->until < rs_days_from_civil(2018, 1, 1) ||
			    o->until > rs_days_from_civil(2090, 1, 1))
				return cli_usage_error("demo: --until must be a date YYYY-MM-DD from 2018 to 2090, not '%s'", optarg);
			break;
		case 'd': o->dry_run = 1; break;
		case 'j': o->json = 1; break;
		default: return cli_usage_error("demo: unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("demo: unexpected argument '%s'", argv[optind]);
	return CLI_OK;
}

/* ---- windows and centres (through delivery's scheduling functions) ---- */
struct demo_windows {
	long from[8], to[8];
	int64_t id[8];
	int n;
};

static int demo_setup(struct demo_windows *w, rs_db *db, long first, long last)
{
	struct dlv_actor who = { .actor = "system:demo", .role = "system" };
	for (size_t i = 0; db && i < DEMO_NCENTRES; i++) {
		json_t *in = json_pack("{s:s, s:s, s:s, s:i, s:s}", "code", demo_centres[i].code, "name", demo_centres[i].name,
		                       "prefecture", demo_centres[i].pref, "seats", demo_centres[i].seats,
		                       "prefecture_code", demo_centres[i].jis);
		json_t *out = NULL;
		int rc = dlv_centre_put(&out, db, &who, in);
		json_decref(in);
		json_decref(out);
		if (rc != 0)
			return cli_fail("demo: centre %s: %s", demo_centres[i].code, rs_error_last());
	}
	/* Calendar quarters from the one holding `first` to the one holding `last`. */
	int y, m, d;
	rs_civil_from_days(first, &y, &m, &d);
	int q = (m - 1) / 3;
	w->n = 0;
	for (;;) {
		long from = rs_days_from_civil(y, q * 3 + 1, 1);
		if (from > last || w->n == 8)
			break;
		long to = (q == 3 ? rs_days_from_civil(y + 1, 1, 1) : rs_days_from_civil(y, q * 3 + 4, 1)) - 1;
		char name[64], a[11], b[11];
		snprintf(name, sizeof name, "SG %04d-Q%d (demo)", y % 10000, q + 1);
		demo_date(a, from);
		demo_date(b, to);
		w->from[w->n] = from;
		w->to[w->n] = to;
		if (db) {
			json_t *in = json_pack("{s:s, s:s, s:s, s:s}", "exam", "SG", "name", name, "opens_on", a, "closes_on", b);
			json_t *out = NULL;
			int rc = dlv_window_put(&out, db, &who, in);
			json_decref(in);
			if (rc != 0)
				return cli_fail("demo: window %s: %s", name, rs_error_last());
			w->id[w->n] = (int64_t)json_integer_value(json_object_get(out, "id"));
			json_decref(out);
		}
		w->n++;
		if (++q == 4) {
			q = 0;
			y++;
		}
	}
	return CLI_OK;
}

static int64_t demo_window_of(const struct demo_windows *w, long day)
{
	for (int i = 0; i < w->n; i++)
		if (day >= w->from[i] && day <= w->to[i])
			return w->id[i];
	return w->n ? w->id[w->n - 1] : 0;
}

int cli_cmd_demo(int argc, char **argv)
{
	if (cli_wants_help(argc, argv))
		return demo_usage();
	struct demo_opts o;
	int rc = demo_parse(&o, argc, argv);
	if (rc != CLI_OK)
		return rc;
	double t0 = demo_now();
	/* The package comes from the database, also for a dry run; db is where rows are written
	 * (NULL for a dry run, which writes nothing). */
	rs_db *conn = NULL;
	if ((rc = cli_db_open(&conn)) != CLI_OK)
		return rc;
	rs_db *db = o.dry_run ? NULL : conn;
	if (db) {
		long long have_c = 0, have_r = 0;
		if (dlv_bulk_count(&have_c, &have_r, db, DEMO_DOMAIN) != 0) {
			rs_db_close(conn);
			return cli_fail("demo: %s", rs_error_last());
		}
		if (have_c > 0) {
			rs_db_close(conn);
			if (o.json)
				printf("{\"loaded\": false, \"candidates\": %lld, \"results\": %lld}\n", have_c, have_r);
			else
				printf("demo data already loaded (%lld candidates, %lld results): nothing done\n", have_c, have_r);
			return CLI_OK;
		}
	}
	struct demo_engine e;
	memset(&e, 0, sizeof e);
	if ((rc = demo_engine_load(&e, conn)) != CLI_OK) {
		rs_db_close(conn);
		return rc;
	}
	long first = o.until - 364, last_booking = o.until + 30;

	/* 1. People and their bookings, until there are enough results. */
	size_t pcap = 1024, scap = 2048, np = 0, ns = 0, nres = 0;
	struct demo_person *people = malloc(pcap * sizeof *people);
	struct demo_sitting *sit = calloc(scap, sizeof *sit);
	int ok = people && sit;
	while (ok && nres < (size_t)o.results) {
		if (np == pcap || ns + DEMO_MAX_SITTINGS >= scap) {
			struct demo_person *pp = realloc(people, (pcap *= 2) * sizeof *people);
			struct demo_sitting *ss = pp ? realloc(sit, (scap *= 2) * sizeof *sit) : NULL;
			if (pp)
				people = pp;
			if (!ss) {
				ok = 0;
				break;
			}
			sit = ss;
			memset(sit + ns, 0, (scap - ns) * sizeof *sit);
		}
		struct demo_rng r;
		demo_rng_init(&r, o.seed, 1, np);
		struct demo_person *p = &people[np];
		memset(p, 0, sizeof *p);
		p->fam = demo_int(&r, 0, DEMO_NFAMILY - 1);
		p->giv = demo_int(&r, 0, DEMO_NGIVEN - 1);
		int pref = 1 + (int)demo_pick(&r, demo_pref_w, 47);
		demo_attrs(&p->attrs, &p->occupation, pref, &r, 1.0);
		p->first_sitting = ns;
		long day = demo_day(&r, first, o.until + 30);
		p->dob = demo_age_dob(&r, day, p->attrs.v[RS_ATTR_OCCUPATION]);
		double age = (double)(day - p->dob) / 365.2425;
		p->theta = demo_normal(&r) * 0.95 + demo_occ_theta[p->occupation] - 0.012 * (age - 35) + 0.05;
		size_t centre = demo_centre_for(pref, &r);
		for (int k = 0; k < DEMO_MAX_SITTINGS && day <= last_booking; k++) {
			struct demo_sitting *s = &sit[ns++];
			s->person = np;
			s->day = day;
			s->centre = (int)centre;
			s->slot = demo_int(&r, 0, 2);
			s->booked_day = day - demo_int(&r, 3, 60);
			double u = demo_unif(&r);
			s->status = day > o.until ? "booked" : u < 0.05 ? "cancelled" : u < 0.12 ? "no_show" : "finished";
			p->nsit++;
			if (strcmp(s->status, "finished") != 0)
				break;
			nres++;
			/* A retake, planned before the engine runs: some of those whose ability lies
			 * below the cut (θ -0.5, give or take how they feel) book again 1-5 months on. */
			double th = p->theta + 0.25 * k;
			if (th > -0.5 + 0.3 * demo_normal(&r) || demo_unif(&r) > 0.45)
				break;
			day += demo_int(&r, 31, 150);
			if (day > o.until)
				break;
		}
		np++;
	}
	if (!ok) {
		free(people);
		free(sit);
		rs_db_close(conn);
		return cli_fail("out of memory");
	}
	double t_plan = demo_now();

	/* 2. The sittings through the engine, on threads (each sitting's stream is its own). */
	if (!o.json)
		fprintf(stderr, "riss demo: %zu people, %zu bookings: simulating %zu sittings on %ld threads\n", np, ns, nres,
		        o.threads);
	struct demo_job jobs[16];
	pthread_t th[16];
	int started = 0;
	for (long t = 0; t < o.threads; t++) {
		jobs[t] = (struct demo_job){ .e = &e, .sit = sit, .people = people, .from = ns * (size_t)t / (size_t)o.threads,
		                             .to = ns * (size_t)(t + 1) / (size_t)o.threads, .seed = o.seed };
		if (pthread_create(&th[t], NULL, demo_thread, &jobs[t]) != 0)
			break;
		started++;
	}
	for (int t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	rc = started == o.threads ? 0 : RS_EINTERNAL;
	for (int t = 0; t < started; t++)
		if (jobs[t].rc)
			rc = jobs[t].rc;
	double t_sim = demo_now();
	size_t nresp = 0, npass = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	struct demo_windows win;
	memset(&win, 0, sizeof win);
	if (rc == 0 && md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1) {
		demo_dig(md, "demo v1 seed=%llu until=%ld package=%s\n", (unsigned long long)o.seed, o.until,
		         dlv_exam_package_sha256(e.ex));
	} else if (rc == 0) {
		rc = RS_ENOMEM;
	}
	if (rc != 0) {
		fprintf(stderr, "riss: demo: the engine failed: %s\n", cat_error_last());
	} else if ((rc = demo_setup(&win, db, first, last_booking)) != CLI_OK) {
		rc = RS_EINTERNAL;
	}

	/* 3. Write chunks of people with their bookings. */
	const char *docs[] = { "driver_licence", "my_number_card", "passport", "residence_card", "health_insurance" };
	static const char *const starts[] = { "09:30", "13:00", "16:00" };
	struct dlv_bulk_person *bp = calloc(DEMO_CHUNK_PERSONS, sizeof *bp);
	struct dlv_bulk_sitting *bs = calloc(DEMO_CHUNK_PERSONS * DEMO_MAX_SITTINGS, sizeof *bs);
	const char **ids = NULL;
	size_t nids = 0;
	if (!bp || !bs)
		rc = RS_ENOMEM;
	for (size_t p0 = 0; rc == 0 && p0 < np; p0 += DEMO_CHUNK_PERSONS) {
		size_t p1 = p0 + DEMO_CHUNK_PERSONS < np ? p0 + DEMO_CHUNK_PERSONS : np, nb = 0;
		size_t need = 0;
		for (size_t i = people[p0].first_sitting; i < (p1 < np ? people[p1].first_sitting : ns); i++)
			need += sit[i].nresp;
		free(ids);
		ids = malloc((need + 1) * sizeof *ids);
		nids = 0;
		if (!ids) {
			rc = RS_ENOMEM;
			break;
		}
		for (size_t i = p0; i < p1; i++) {
			struct demo_person *p = &people[i];
			struct dlv_bulk_person *q = &bp[i - p0];
			q->name_kanji = NULL;
			static char kanji[DEMO_CHUNK_PERSONS][48], kana[DEMO_CHUNK_PERSONS][64], latn[DEMO_CHUNK_PERSONS][48];
			snprintf(kanji[i - p0], sizeof kanji[0], "%s %s", demo_family[p->fam].kanji, demo_given[p->giv].kanji);
			snprintf(kana[i - p0], sizeof kana[0], "%s %s", demo_family[p->fam].kana, demo_given[p->giv].kana);
			snprintf(latn[i - p0], sizeof latn[0], "%s %s", demo_family[p->fam].latn, demo_given[p->giv].latn);
			q->name_kanji = kanji[i - p0];
			q->name_kana = kana[i - p0];
			q->name_romaji = latn[i - p0];
			demo_date(q->birth_date, p->dob);
			snprintf(q->email, sizeof q->email, "s%llu-%zu@" DEMO_DOMAIN, (unsigned long long)o.seed, i);
			q->attrs = p->attrs;
			demo_dig(md, "p %zu %s %s %s %s %s %s %s\n", i, q->name_romaji, q->birth_date, demo_or(p->attrs.v[0]),
			         demo_or(p->attrs.v[1]), demo_or(p->attrs.v[2]), demo_or(p->attrs.v[3]), q->email);
			for (size_t k = p->first_sitting; k < p->first_sitting + (size_t)p->nsit; k++) {
				struct demo_sitting *s = &sit[k];
				struct dlv_bulk_sitting *b = &bs[nb++];
				memset(b, 0, sizeof *b);
				b->person = i - p0;
				b->window = demo_window_of(&win, s->day);
				b->centre = demo_centres[s->centre].code;
				demo_date(b->sit_on, s->day);
				snprintf(b->starts_at, sizeof b->starts_at, "%s", starts[s->slot]);
				b->status = s->status;
				char bd[11];
				demo_date(bd, s->booked_day);
				snprintf(b->booked_at, sizeof b->booked_at, "%s 20:15:00+09", bd);
				demo_dig(md, "b %zu %s %s %s %s\n", k, b->sit_on, b->starts_at, b->centre, b->status);
				if (strcmp(s->status, "finished") != 0)
					continue;
				b->identity_document = docs[s->seed % 5];
				snprintf(b->checked_at, sizeof b->checked_at, "%s %s:00+09", b->sit_on, b->starts_at);
				int start_min = (b->starts_at[0] - '0') * 600 + (b->starts_at[1] - '0') * 60 +
				                (b->starts_at[3] - '0') * 10 + (b->starts_at[4] - '0');
				int end_s = start_min * 60 + 300 + (int)(s->nresp ? s->elapsed[s->nresp - 1] : 0);
				snprintf(b->finished_at, sizeof b->finished_at, "%s %02d:%02d:%02d+09", b->sit_on, (end_s / 3600) % 24,
				         (end_s / 60) % 60, end_s % 60);
				snprintf(b->seat, sizeof b->seat, "%c-%02d", 'A' + (int)(s->seed % 4), (int)(s->seed >> 8) % 20 + 1);
				b->seed = s->seed;
				b->used_ms = (int64_t)(s->nresp ? s->elapsed[s->nresp - 1] : 0) * 1000;
				b->nresp = s->nresp;
				b->item_id = ids + nids;
				for (size_t j = 0; j < s->nresp; j++)
					ids[nids++] = e.bank->items[s->item[j]].id;
				b->choice = s->choice;
				b->score = s->score;
				b->elapsed_s = s->elapsed;
				b->result = &s->result;
				nresp += s->nresp;
				npass += s->result.pass;
				demo_dig(md, "r %zu %d %d %.9f %zu\n", k, s->result.scaled, s->result.pass, s->result.theta, s->nresp);
				for (size_t j = 0; j < s->nresp; j++)
					demo_dig(md, "%s:%d:%u ", e.bank->items[s->item[j]].id, s->choice[j], s->elapsed[j]);
			}
		}
		if (db) {
			struct dlv_bulk chunk = { .exam = e.exam, .time_limit_s = e.exam->time_limit_s, .persons = bp,
			                          .npersons = p1 - p0, .sittings = bs, .nsittings = nb };
			snprintf(chunk.exam_version, sizeof chunk.exam_version, "%s", dlv_exam_exam_version(e.ex));
			snprintf(chunk.bank_version, sizeof chunk.bank_version, "%s", dlv_exam_bank_version(e.ex));
			chunk.package_id = dlv_exam_package_id(e.ex);
			snprintf(chunk.package_sha256, sizeof chunk.package_sha256, "%s", dlv_exam_package_sha256(e.ex));
			if (dlv_bulk_load(db, &chunk) != 0) {
				fprintf(stderr, "riss: demo: %s\n", rs_error_last());
				rc = RS_EDB;
				break;
			}
			if (!o.json)
				fprintf(stderr, "riss demo: sittings written for %zu of %zu people\n", p1, np);
		}
	}
	free(ids);
	free(bp);
	free(bs);
	double t_exam = demo_now();

	/* 4. The register: passers since 2016, registered on the next 1 April or 1 October,
	 * renewed every 3 years by most, lapsed or cancelled for some; and their training. */
	size_t nreg = (size_t)o.registrants, ncomp = 0, ncomp_in = 0;
	struct reg_bulk_person *rp = calloc(nreg + 1, sizeof *rp);
	char (*regno)[REG_REGNO_LEN + 1] = calloc(nreg + 1, sizeof *regno);
	char (*rn)[3][64] = calloc(nreg + 1, sizeof *rn);
	struct cpd_bulk_completion *cc = calloc(nreg * 5 + 1, sizeof *cc);
	if (rc == 0 && (!rp || !regno || !rn || !cc))
		rc = RS_ENOMEM;
	long reg_first = rs_days_from_civil(2017, 4, 1);
	for (size_t i = 0; rc == 0 && i < nreg; i++) {
		struct demo_rng r;
		demo_rng_init(&r, o.seed, 2, i);
		struct reg_bulk_person *p = &rp[i];
		int fam = demo_int(&r, 0, DEMO_NFAMILY - 1), giv = demo_int(&r, 0, DEMO_NGIVEN - 1);
		snprintf(rn[i][0], 64, "%s %s", demo_family[fam].kanji, demo_given[giv].kanji);
		snprintf(rn[i][1], 64, "%s %s", demo_family[fam].kana, demo_given[giv].kana);
		snprintf(rn[i][2], 64, "%s %s", demo_family[fam].latn, demo_given[giv].latn);
		p->name = rn[i][0];
		p->name_kana = rn[i][1];
		p->name_latn = rn[i][2];
		/* More recent passers (the register grows), none after 60 days before --until. */
		long span = o.until - 60 - (reg_first - 120);
		long pass = reg_first - 120 + (long)(span * sqrt(demo_unif(&r)));
		long reg = demo_next_reg_date(pass + 30);
		if (reg > o.until)
			reg = demo_next_reg_date(pass - 200 > reg_first - 120 ? pass - 200 : reg_first);
		if (reg > o.until || reg - 30 < pass)
			pass = reg - demo_int(&r, 60, 200);
		int pref = 1 + (int)demo_pick(&r, demo_pref_w, 47), occ;
		demo_attrs(&p->attrs, &occ, pref, &r, 2.0);
		long dob = demo_age_dob(&r, pass, p->attrs.v[RS_ATTR_OCCUPATION]);
		demo_date(p->date_of_birth, dob);
		demo_date(p->exam_pass_date, pass);
		demo_date(p->reg_date, reg);
		snprintf(p->exam_result_ref, sizeof p->exam_result_ref, "demo-%llu-pass-%zu", (unsigned long long)o.seed, i);
		long vf = reg;
		int renewals = 0;
		p->status = "active";
		p->status_reason = "";
		p->status_at[0] = '\0';
		demo_date(p->status_at, reg);
		while (demo_add_years(vf, 3) <= o.until) {
			if (demo_unif(&r) < 0.78) {
				vf = demo_add_years(vf, 3);
				renewals++;
			} else {
				p->status = "lapsed";
				p->status_reason = "validity ended";
				demo_date(p->status_at, demo_add_years(vf, 3));
				break;
			}
		}
		if (strcmp(p->status, "active") == 0 && demo_unif(&r) < 0.015) {
			p->status = "cancelled";
			p->status_reason = "継続講習の未受講による登録取消 (cancelled: training not completed)";
			demo_date(p->status_at, vf + (o.until - vf) / 2);
		}
		demo_date(p->valid_from, vf);
		p->renewal_count = renewals;
		demo_dig(md, "g %zu %s %s %s %s %d %s %s %s %s %s\n", i, p->name_latn, p->exam_pass_date, p->reg_date,
		         p->valid_from, renewals, p->status, demo_or(p->attrs.v[0]), demo_or(p->attrs.v[1]),
		         demo_or(p->attrs.v[2]), demo_or(p->attrs.v[3]));
		/* Training of the live ones: the online course of each fiscal year of the current
		 * validity (FY2024 on, as the demo catalogue has them) and one practical course. */
		if (strcmp(p->status, "active") != 0)
			continue;
		for (int fy = 2024; fy <= 2026; fy++) {
			long fy0 = rs_days_from_civil(fy, 4, 1), fy1 = rs_days_from_civil(fy + 1, 3, 31);
			long a0 = fy0 > vf ? fy0 : vf, a1 = fy1 < o.until ? fy1 : o.until;
			if (a0 > a1 || demo_unif(&r) > 0.82)
				continue;
			struct cpd_bulk_completion *c = &cc[ncomp++];
			static char onl[3][12] = { "ONL-2024", "ONL-2025", "ONL-2026" };
			c->course_code = onl[fy - 2024];
			demo_date(c->completed_on, a0 + (long)((double)(a1 - a0) * demo_unif(&r)));
			snprintf(c->record_id, sizeof c->record_id, "DEMO%llu-%zu-%s", (unsigned long long)o.seed, i, c->course_code);
		}
		long a0 = vf > rs_days_from_civil(2024, 4, 1) ? vf : rs_days_from_civil(2024, 4, 1);
		if (a0 < o.until && demo_unif(&r) < 0.55) {
			struct cpd_bulk_completion *c = &cc[ncomp++];
			long d = a0 + (long)((double)(o.until - a0) * demo_unif(&r));
			c->course_code = d >= rs_days_from_civil(2026, 4, 1) && demo_unif(&r) < 0.3 ? "TK-CLOUD"
			               : d >= rs_days_from_civil(2025, 4, 1) && demo_unif(&r) < 0.4 ? "TK-IR" : "PRA-IPA";
			demo_date(c->completed_on, d);
			snprintf(c->record_id, sizeof c->record_id, "DEMO%llu-%zu-%s", (unsigned long long)o.seed, i, c->course_code);
		}
	}
	for (size_t i = 0; i < ncomp; i++)
		demo_dig(md, "c %s %s %s\n", cc[i].record_id, cc[i].course_code, cc[i].completed_on);
	if (rc == 0 && db) {
		for (size_t i0 = 0; i0 < nreg && rc == 0; i0 += 5000) {
			size_t n = nreg - i0 < 5000 ? nreg - i0 : 5000;
			if (reg_bulk_load(regno + i0, db, rp + i0, n) != 0) {
				fprintf(stderr, "riss: demo: %s\n", rs_error_last());
				rc = RS_EDB;
			}
		}
		/* Completions name registrants by number: the record ids carry the demo's index. */
		for (size_t i = 0; rc == 0 && i < ncomp; i++) {
			const char *dash = strchr(cc[i].record_id, '-');
			size_t idx = dash ? (size_t)strtoull(dash + 1, NULL, 10) : 0;
			memcpy(cc[i].regno, regno[idx < nreg ? idx : 0], sizeof cc[i].regno);
		}
		if (rc == 0 && cpd_bulk_load(&ncomp_in, db, cc, ncomp) != 0) {
			fprintf(stderr, "riss: demo: %s\n", rs_error_last());
			rc = RS_EDB;
		}
		if (rc == 0 && !o.json)
			fprintf(stderr, "riss demo: %zu registrants and %zu training completions written\n", nreg, ncomp_in);
	}
	double t_end = demo_now();
	unsigned char dg[32];
	unsigned dl = 0;
	char hex[65] = "";
	if (rc == 0 && EVP_DigestFinal_ex(md, dg, &dl) == 1)
		for (unsigned i = 0; i < dl && i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", dg[i]);
	EVP_MD_CTX_free(md);
	for (size_t i = 0; i < ns; i++) {
		free(sit[i].item);
		free(sit[i].choice);
		free(sit[i].score);
		free(sit[i].elapsed);
	}
	free(people);
	free(sit);
	free(rp);
	free(regno);
	free(rn);
	free(cc);
	rs_db_close(conn);
	if (rc != 0)
		return rc == RS_EINTERNAL || rc == RS_EDB ? CLI_FAIL : cli_fail("demo: out of memory");
	char until[11];
	demo_date(until, o.until);
	if (o.json) {
		json_t *out = json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:b, s:{s:f, s:f, s:f, s:f, s:f}}",
			"seed", (json_int_t)o.seed, "until", until, "candidates", (json_int_t)np, "bookings", (json_int_t)ns,
			"results", (json_int_t)nres, "responses", (json_int_t)nresp, "passed", (json_int_t)npass,
			"registrants", (json_int_t)nreg, "completions", (json_int_t)(db ? ncomp_in : ncomp), "digest", hex,
			"loaded", !o.dry_run, "seconds", "plan", t_plan - t0, "engine", t_sim - t_plan, "exam_write",
			t_exam - t_sim, "register", t_end - t_exam, "total", t_end - t0);
		char *s = json_dumps(out, JSON_COMPACT);
		printf("%s\n", s ? s : "{}");
		free(s);
		json_decref(out);
	} else {
		printf("demo %s: %zu candidates, %zu bookings, %zu results (%zu passed), %zu answers; %zu registrants, "
		       "%zu completions; until %s, seed %llu, digest %s; %.1f s (engine %.1f s, writing %.1f s)\n",
		       o.dry_run ? "generated (dry run)" : "loaded", np, ns, nres, npass, nresp, nreg, db ? ncomp_in : ncomp,
		       until, (unsigned long long)o.seed, hex, t_end - t0, t_sim - t_plan, (t_exam - t_sim) + (t_end - t_exam));
	}
	return CLI_OK;
}
