/* Benchmark: issue credentials from the register — sign through riss-signd, QR (PNG + SVG),
 * log append, commit — in batches of one transaction each, QR rendered on two threads
 * alongside. Prints the time for N.
 * usage: reg_issue_bench CONNINFO KEYS_DIR SIGND_SOCKET BASE_URL N [BATCH] */
#include "cert_signd.h"
#include "reg_issue.h"
#include "reg_qr.h"
#include "rs_db.h"
#include "rs_error.h"
#include "rs_util.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BENCH_QR_THREADS 2

/* A queue of batches of tokens for the QR threads. */
struct bench_qr_job {
	char **jws;
	size_t n;
	struct bench_qr_job *next;
};
struct bench_qr {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct bench_qr_job *head, *tail;
	int closed, failed;
	const char *base;
	size_t bytes, rendered;
	double cpu;
};

static void bench_qr_push(struct bench_qr *q, char **jws, size_t n)
{
	pthread_mutex_lock(&q->mu);
	if (!jws) {
		q->closed = 1;
	} else {
		struct bench_qr_job *j = calloc(1, sizeof *j);
		j->jws = jws;
		j->n = n;
		if (q->tail)
			q->tail->next = j;
		else
			q->head = j;
		q->tail = j;
	}
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

static void *bench_qr_worker(void *arg)
{
	struct bench_qr *q = arg;
	struct timespec c0, c1;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	size_t bytes = 0, rendered = 0;
	int failed = 0;
	for (;;) {
		pthread_mutex_lock(&q->mu);
		while (!q->head && !q->closed)
			pthread_cond_wait(&q->cv, &q->mu);
		struct bench_qr_job *j = q->head;
		if (j) {
			q->head = j->next;
			if (!q->head)
				q->tail = NULL;
		}
		pthread_mutex_unlock(&q->mu);
		if (!j)
			break;
		for (size_t i = 0; i < j->n; i++) {
			char *url = NULL, *svg = NULL;
			unsigned char *png = NULL;
			size_t pl = 0;
			if (reg_qr_verify_url(&url, q->base, j->jws[i]) != 0 ||
			    reg_qr_render(&png, &pl, &svg, url, REG_QR_M, REG_QR_PNG_PX) != 0)
				failed = 1;
			else
				bytes += pl + strlen(svg), rendered++;
			free(url);
			free(svg);
			free(png);
			free(j->jws[i]);
		}
		free(j->jws);
		free(j);
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	pthread_mutex_lock(&q->mu);
	q->bytes += bytes;
	q->rendered += rendered;
	q->failed |= failed;
	q->cpu += (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: %s CONNINFO KEYS_DIR SIGND_SOCKET BASE_URL N [BATCH]\n", argv[0]);
		return 2;
	}
	long n = atol(argv[5]), batch = argc > 6 ? atol(argv[6]) : 500;
	rs_db *db = NULL;
	struct reg_keys keys;
	struct cert_signer signer;
	if (rs_db_open(&db, argv[1]) != 0 || reg_keys_load(&keys, argv[2], time(NULL)) != 0 ||
	    cert_signd_signer_new(&signer, argv[3]) != 0) {
		fprintf(stderr, "setup: %s\n", rs_error_last());
		return 1;
	}
	char sql[1024];
	/* Registrants 000001..N, active (the workflow's rows, made in bulk for the benchmark). */
	snprintf(sql, sizeof sql,
	         "INSERT INTO registry.registrants (regno, name, name_kana, name_latn, date_of_birth, exam_result_ref, "
	         "exam_pass_date, reg_date, valid_from, valid_until) SELECT lpad(g::text, 6, '0'), '試験 太郎' || g, "
	         "'シケン タロウ', 'Shiken Taro', '1990-01-01', 'bench-' || g, '2025-12-01', '2026-04-01', '2026-04-01', "
	         "'2029-03-31' FROM generate_series(1, %ld) g ON CONFLICT DO NOTHING", n);
	if (rs_db_exec_plain(db, sql) != 0) {
		fprintf(stderr, "setup: %s\n", rs_error_last());
		return 1;
	}
	/* Durability as in production: say what the server does, not what we hope. */
	char sync_commit[16] = "?", fsync_on[16] = "?";
	PGresult *sr = PQexec(rs_db_pg(db), "SELECT current_setting('synchronous_commit'), current_setting('fsync')");
	if (PQresultStatus(sr) == PGRES_TUPLES_OK) {
		snprintf(sync_commit, sizeof sync_commit, "%s", PQgetvalue(sr, 0, 0));
		snprintf(fsync_on, sizeof fsync_on, "%s", PQgetvalue(sr, 0, 1));
	}
	PQclear(sr);
	struct reg_issuer is = { .base_url = argv[4], .kid = keys.current_kid, .signer = &signer };
	struct reg_actor who = { .actor = "bench", .role = "system" };
	char (*regs)[24] = malloc((size_t)batch * sizeof *regs);
	const char **ptr = malloc((size_t)batch * sizeof *ptr);
	struct bench_qr q = { .base = argv[4] };
	pthread_mutex_init(&q.mu, NULL);
	pthread_cond_init(&q.cv, NULL);
	pthread_t th[BENCH_QR_THREADS];
	for (int t = 0; t < BENCH_QR_THREADS; t++)
		pthread_create(&th[t], NULL, bench_qr_worker, &q);
	double t_issue = 0;
	int64_t t0 = rs_mono_ns();
	/* The issuing thread signs and commits batch k+1 while the QR threads render batch k
	 * (both cores busy: this thread, riss-signd and PostgreSQL, and two renderers). */
	for (long done = 0; done < n;) {
		long m = n - done < batch ? n - done : batch;
		for (long i = 0; i < m; i++) {
			snprintf(regs[i], sizeof regs[i], "%06ld", done + i + 1);
			ptr[i] = regs[i];
		}
		char **jws = calloc((size_t)m, sizeof *jws);
		int64_t a = rs_mono_ns();
		if (!jws || reg_issue_batch(jws, db, ptr, (size_t)m, &is, time(NULL), &who) != 0) {
			fprintf(stderr, "issue: %s\n", rs_error_last());
			return 1;
		}
		t_issue += (double)(rs_mono_ns() - a) / 1e9;
		bench_qr_push(&q, jws, (size_t)m);
		done += m;
	}
	bench_qr_push(&q, NULL, 0); /* no more */
	for (int t = 0; t < BENCH_QR_THREADS; t++)
		pthread_join(th[t], NULL);
	double total = (double)(rs_mono_ns() - t0) / 1e9;
	if (q.failed) {
		fprintf(stderr, "qr: rendering failed\n");
		return 1;
	}
	printf("reg_issue: %ld credentials in %.2f s (%.0f/s; target <= 30 s): sign via riss-signd + status entries + "
	       "log leaves + commit (batches of %ld, one transaction each, synchronous_commit %s, fsync %s) %.2f s on one thread; "
	       "QR PNG+SVG on %d threads alongside, %.2f s CPU (%.3f ms each), %zu bytes, %zu credentials rendered\n",
	       n, total, n / total, batch, sync_commit, fsync_on, t_issue, BENCH_QR_THREADS, q.cpu, q.cpu * 1000 / (double)(q.rendered ? q.rendered : 1),
	       q.bytes, q.rendered);
	cert_signd_signer_free(&signer);
	reg_keys_free(&keys);
	rs_db_close(db);
	free(regs);
	free(ptr);
	return 0;
}
