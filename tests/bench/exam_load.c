/* Exam-delivery load generator: N simulated candidates (default 2,000), each on its own
 * HTTP/1.1 keep-alive connection, driven by one epoll loop. Seeds N bookings and admits
 * them directly through the delivery module (config from RISS_CONFIG), then each candidate
 * redeems its admission code at rissd, begins and answers item after item with no think
 * time. Prints answers/s sustained over the measuring window and p50/p99 of the
 * answer -> next-item round trip. Asserts nothing.
 * With --think-ms T each candidate thinks a random 0.5T..1.5T between answers (an open,
 * paced load whose latency is not just queueing); with 0 the load is closed (saturation).
 *   exam_load --port P [--candidates N] [--seconds S] [--warmup S] [--think-ms T] [--prefix P] */
#include "dlv.h"
#include "ib_package.h"
#include "rs_config.h"
#include "rs_db.h"
#include "rs_error.h"
#include "rs_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EL_BUF 65536

enum el_phase { EL_START, EL_BEGIN, EL_ANSWER, EL_DONE };

struct el_cand {
	int fd;
	enum el_phase phase;
	char code[DLV_CODE_LEN + 1];
	char cookie[160];      /* "riss_exam=...; riss_ws=..." */
	char csrf[64];
	char item[64];
	int position;
	uint64_t rng;
	char out[1024];
	size_t out_len, out_off;
	char in[EL_BUF];
	size_t in_len;
	int64_t sent_ns;
	int64_t wake_ns;       /* thinking until then (0: not thinking) */
};

static const struct dlv_exam *el_exam;
static int64_t el_measure_from, el_measure_to;
static uint32_t *el_lat;          /* microseconds, answers inside the window */
static size_t el_nlat, el_caplat;
static long el_refused, el_finished, el_answers_total;

static int64_t el_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t el_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void el_request(struct el_cand *c, const char *path, const char *body)
{
	char extra[300] = "";
	if (c->cookie[0])
		snprintf(extra, sizeof extra, "Cookie: %s\r\nX-CSRF-Token: %s\r\n", c->cookie, c->csrf);
	int n = snprintf(c->out, sizeof c->out,
		"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n%s\r\n%s",
		path, strlen(body), extra, body);
	c->out_len = (size_t)n;
	c->out_off = 0;
	c->in_len = 0;
	c->sent_ns = el_now();
}

static int el_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A complete response in c->in: status, body (NUL-terminated in place). 0 when incomplete. */
static int el_response(struct el_cand *c, int *status, char **body)
{
	c->in[c->in_len < EL_BUF ? c->in_len : EL_BUF - 1] = '\0';
	char *end = strstr(c->in, "\r\n\r\n");
	if (!end)
		return 0;
	*end = '\0';
	long clen = 0;
	for (char *h = strstr(c->in, "\r\n"); h; h = strstr(h + 2, "\r\n")) {
		if (strncasecmp(h + 2, "Content-Length:", 15) == 0)
			clen = strtol(h + 17, NULL, 10);
	}
	size_t need = (size_t)(end + 4 - c->in) + (size_t)clen;
	if (c->in_len < need) {
		*end = '\r';
		return 0;
	}
	*status = atoi(c->in + 9);
	/* Cookies from the admission. */
	for (char *h = strstr(c->in, "\r\n"); h; h = strstr(h + 2, "\r\n")) {
		if (strncasecmp(h + 2, "Set-Cookie: ", 12) == 0) {
			char *v = h + 14, *semi = strchr(v, ';');
			size_t l = semi ? (size_t)(semi - v) : strlen(v);
			size_t have = strlen(c->cookie);
			snprintf(c->cookie + have, sizeof c->cookie - have, "%s%.*s", have ? "; " : "", (int)l, v);
		}
	}
	*body = end + 4;
	(*body)[clen] = '\0';
	return 1;
}

static void el_lat_add(uint32_t us)
{
	if (el_nlat == el_caplat) {
		el_caplat = el_caplat ? el_caplat * 2 : 65536;
		el_lat = realloc(el_lat, el_caplat * sizeof *el_lat);
		if (!el_lat) {
			fprintf(stderr, "exam_load: out of memory\n");
			exit(1);
		}
	}
	el_lat[el_nlat++] = us;
}

/* The next request of a candidate after a response; phase EL_DONE when it has finished. */
static void el_next(struct el_cand *c, int status, const char *body)
{
	json_error_t jerr;
	json_t *j = json_loads(body, 0, &jerr);
	int64_t now = el_now();
	if (c->phase == EL_ANSWER) {
		if (status == 200) {
			el_answers_total++;
			if (c->sent_ns >= el_measure_from && now <= el_measure_to)
				el_lat_add((uint32_t)((now - c->sent_ns) / 1000));
		} else {
			el_refused++;
		}
	}
	if (c->phase == EL_START) {
		const char *csrf = json_string_value(json_object_get(j, "csrf"));
		if (status != 200 || !csrf) {
			fprintf(stderr, "exam_load: admission refused (%d): %s\n", status, body);
			c->phase = EL_DONE;
			goto done;
		}
		snprintf(c->csrf, sizeof c->csrf, "%s", csrf);
		c->phase = EL_BEGIN;
		el_request(c, "/api/v1/exam/begin", "{}");
		goto done;
	}
	json_t *it = json_object_get(j, "item");
	if (status == 200 && !it) {
		el_finished++;
		c->phase = EL_DONE;
		goto done;
	}
	if (it) {
		snprintf(c->item, sizeof c->item, "%s", json_string_value(json_object_get(it, "item_id")));
		c->position = (int)json_integer_value(json_object_get(it, "position"));
	}
	/* A refused answer is resent as it was (idempotent); a correct answer 70% of the time. */
	int key = dlv_exam_key_for_tests(el_exam, c->item);
	int choice = el_rand(&c->rng) % 10 < 7 ? key : (key + 1 + (int)(el_rand(&c->rng) % 3)) % 4;
	char req[160];
	snprintf(req, sizeof req, "{\"position\":%d,\"item_id\":\"%s\",\"choice\":%d}", c->position, c->item, choice);
	c->phase = EL_ANSWER;
	el_request(c, "/api/v1/exam/answer", req);
done:
	json_decref(j);
}

static int el_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int port = 0, n = 2000, think_ms = 0;
	double seconds = 15, warmup = 3;
	const char *prefix = "load";
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--port"))
			port = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--candidates"))
			n = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--seconds"))
			seconds = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--warmup"))
			warmup = atof(argv[i + 1]);
		else if (!strcmp(argv[i], "--think-ms"))
			think_ms = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--prefix"))
			prefix = argv[i + 1];
	}
	if (port <= 0 || n < 1 || n > 100000 || seconds <= 0) {
		fprintf(stderr, "usage: exam_load --port P [--candidates N] [--seconds S] [--warmup S]  (RISS_CONFIG names the database)\n");
		return 2;
	}
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 64) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rs_config_init(getenv("RISS_CONFIG")) != 0) {
		fprintf(stderr, "exam_load: %s\n", rs_error_last());
		return 1;
	}
	rs_db *db = NULL;
	json_t *seeded = NULL;
	/* The exam's active package (private_stack published it), which the seeded window serves:
	 * the simulated candidates know its keys. */
	long long pkg = 0;
	if (rs_db_open(&db, rs_config_str("db_url")) != 0 || ib_package_active(&pkg, db, "SG") != 0 ||
	    dlv_exam_package(&el_exam, db, pkg) != 0 || dlv_demo_seed(&seeded, db, "TC-LOAD-01", NULL, prefix, n, 1) != 0) {
		fprintf(stderr, "exam_load: %s\n", rs_error_last());
		return 1;
	}
	struct el_cand *cs = calloc((size_t)n, sizeof *cs);
	struct dlv_actor who = { .actor = "system:bench", .role = "system" };
	int64_t t_admit = el_now();
	for (int i = 0; i < n; i++) {
		int64_t sid;
		char seat[16];
		snprintf(seat, sizeof seat, "L-%d", i);
		json_int_t bid = json_integer_value(json_array_get(json_object_get(seeded, "bookings"), (size_t)i));
		if (dlv_proctor_admit(cs[i].code, &sid, db, &who, bid, seat, 0) != 0) {
			fprintf(stderr, "exam_load: admit booking %lld: %s\n", (long long)bid, rs_error_last());
			return 1;
		}
		cs[i].rng = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
	}
	json_decref(seeded);
	rs_db_close(db);
	fprintf(stderr, "exam_load: %d bookings seeded and admitted in %.1f s\n", n, (double)(el_now() - t_admit) / 1e9);

	int ep = epoll_create1(0);
	for (int i = 0; i < n; i++) {
		cs[i].fd = el_connect(port);
		if (cs[i].fd < 0) {
			fprintf(stderr, "exam_load: connect: %s\n", strerror(errno));
			return 1;
		}
		char body[64];
		snprintf(body, sizeof body, "{\"code\":\"%s\"}", cs[i].code);
		el_request(&cs[i], "/api/v1/exam/start", body);
		struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.ptr = &cs[i] };
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
	}
	int64_t t0 = el_now();
	el_measure_from = t0 + (int64_t)(warmup * 1e9);
	el_measure_to = el_measure_from + (int64_t)(seconds * 1e9);
	long answers_at_from = -1, answers_at_to = -1;
	int live = n;
	struct epoll_event evs[256];
	while (live > 0) {
		int64_t now = el_now();
		if (answers_at_from < 0 && now >= el_measure_from) {
			answers_at_from = el_answers_total;
			printf("exam_load: window open\n");   /* the driver samples CPU here */
			fflush(stdout);
		}
		if (now >= el_measure_to) {
			answers_at_to = el_answers_total;
			printf("exam_load: window closed\n");
			fflush(stdout);
			break;
		}
		if (think_ms > 0) {
			for (int i = 0; i < n; i++) {
				struct el_cand *c = &cs[i];
				if (c->wake_ns && now >= c->wake_ns) {
					c->wake_ns = 0;
					c->sent_ns = el_now();
					ssize_t w = write(c->fd, c->out, c->out_len);
					if (w > 0)
						c->out_off = (size_t)w;
					if (c->out_off < c->out_len) {
						struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
						epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
					}
				}
			}
		}
		int k = epoll_wait(ep, evs, 256, think_ms > 0 ? 1 : 50);
		for (int e = 0; e < k; e++) {
			struct el_cand *c = evs[e].data.ptr;
			if (c->out_off < c->out_len) {
				ssize_t w = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
				if (w > 0)
					c->out_off += (size_t)w;
				if (c->out_off == c->out_len) {
					struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
					epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				}
				continue;
			}
			ssize_t r = read(c->fd, c->in + c->in_len, EL_BUF - 1 - c->in_len);
			if (r <= 0) {
				if (r < 0 && errno == EAGAIN)
					continue;
				fprintf(stderr, "exam_load: connection closed by rissd\n");
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				live--;
				continue;
			}
			c->in_len += (size_t)r;
			int status;
			char *body;
			if (!el_response(c, &status, &body))
				continue;
			el_next(c, status, body);
			if (c->phase == EL_DONE) {
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				close(c->fd);
				live--;
				continue;
			}
			if (think_ms > 0 && c->phase == EL_ANSWER) {
				int64_t t = (int64_t)think_ms * 1000000 / 2 + (int64_t)(el_rand(&c->rng) % ((uint64_t)think_ms * 1000000 + 1));
				c->wake_ns = el_now() + t;
				continue;
			}
			ssize_t w = write(c->fd, c->out, c->out_len);
			if (w > 0)
				c->out_off = (size_t)w;
			if (c->out_off < c->out_len) {
				struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			}
		}
	}
	int64_t t_end = el_now();
	if (answers_at_from < 0)
		answers_at_from = 0;
	if (answers_at_to < 0) {
		answers_at_to = el_answers_total;   /* every candidate finished inside the window */
		printf("exam_load: window closed\n");
		fflush(stdout);
	}
	double window = (double)((t_end < el_measure_to ? t_end : el_measure_to) - el_measure_from) / 1e9;
	double rate = window > 0 ? (double)(answers_at_to - answers_at_from) / window : 0;
	qsort(el_lat, el_nlat, sizeof *el_lat, el_cmp);
	double p50 = el_nlat ? el_lat[el_nlat / 2] / 1000.0 : 0, p99 = el_nlat ? el_lat[el_nlat * 99 / 100] / 1000.0 : 0;
	printf("exam_load: %s load (think %d ms): ", think_ms ? "paced" : "closed", think_ms);
	printf("%d candidates, %.1f s measured after %.1f s warm-up, %zu answers timed, %ld refused, %ld finished\n",
	       n, window, warmup, el_nlat, el_refused, el_finished);
	printf("exam_load: answers/s %.0f  answer->next p50 %.1f ms  p99 %.1f ms\n", rate, p50, p99);
	printf("answers_per_s=%.0f p50_ms=%.1f p99_ms=%.1f answers_total=%ld answers_window=%ld\n", rate, p50, p99,
	       el_answers_total, answers_at_to - answers_at_from);
	for (int i = 0; i < n; i++)
		if (cs[i].phase != EL_DONE)
			close(cs[i].fd);
	free(cs);
	free(el_lat);
	close(ep);
	return 0;
}
