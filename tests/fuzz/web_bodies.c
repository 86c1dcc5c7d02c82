/* Fuzz target: the request body of every JSON route, fed to the route's own handler (its
 * field checks and the module validators behind them) over a real libmicrohttpd connection.
 * Input: one byte choosing the route among the table's JSON routes, then the body. The
 * caller holds the route's roles (so role-protected validators are reached) and there is no
 * database: a body that passes validation ends in the handler's 503, which is fine; a crash,
 * a sanitizer report or a request left without an answer is not. */
#include "web.h"

#include "rs_config.h"
#include "rs_db.h"
#include "rs_log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_BODY_MAX 65536

static struct MHD_Daemon *fuzz_daemon;
static const struct web_route *fuzz_routes[256];
static size_t fuzz_nroutes;

/* The access callback: what web_access does, minus the caller resolution (the route's roles
 * are granted) and the route lookup (the URL is the route's). */
static enum MHD_Result fuzz_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                   const char *version, const char *upload_data, size_t *upload_data_size,
                                   void **con_cls)
{
	(void)cls;
	(void)version;
	struct web_request *req = *con_cls;
	if (!req) {
		req = calloc(1, sizeof *req);
		if (!req)
			return MHD_NO;
		req->conn = conn;
		req->method = method;
		req->url = url;
		snprintf(req->id, sizeof req->id, "fuzz");
		snprintf(req->client_ip, sizeof req->client_ip, "192.0.2.1");
		const char *r = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Fuzz-Route");
		size_t i = r ? (size_t)atoi(r) : 0;
		req->route = fuzz_routes[i < fuzz_nroutes ? i : 0];
		req->roles = req->route->roles | WEB_ROLE_PUBLIC;
		snprintf(req->actor, sizeof req->actor, "staff:fuzz");
		snprintf(req->centre_code, sizeof req->centre_code, "TC-FUZZ-01");
		snprintf(req->regno, sizeof req->regno, "000001");
		req->staff_id = 1;
		req->provider_id = 1;
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (req->body_len + n > FUZZ_BODY_MAX)
			return MHD_NO;
		char *nb = realloc(req->body, req->body_len + n + 1);
		if (!nb)
			return MHD_NO;
		req->body = nb;
		memcpy(req->body + req->body_len, upload_data, n);
		req->body_len += n;
		req->body[req->body_len] = '\0';
		return MHD_YES;
	}
	if (req->status)
		return MHD_YES;
	enum MHD_Result reply;
	if (req->route->json_body == WEB_BODY_JSON && web_body_json(req, &reply) != 0)
		return reply;
	return req->route->handler(req);
}

static void fuzz_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode t)
{
	(void)cls;
	(void)conn;
	(void)t;
	struct web_request *req = *con_cls;
	if (!req)
		return;
	if (req->db)
		rs_db_pool_put(req->db_pool, req->db);
	json_decref(req->json);
	free(req->body);
	free(req);
	*con_cls = NULL;
}

static void fuzz_init(void)
{
	rs_config_reset();
	rs_log_set_level(RS_LOG_ERROR);
	for (size_t i = 0; i < web_nroutes && fuzz_nroutes < 256; i++)
		if (web_routes[i].json_body)
			fuzz_routes[fuzz_nroutes++] = &web_routes[i];
	/* A pool whose database is never there: handlers answer 503 past their checks. */
	if (rs_db_pool_new(&web_srv.pool, "host=/nonexistent/riss-fuzz port=1 connect_timeout=1", 1) != 0)
		abort();
	web_srv.body_limit = FUZZ_BODY_MAX;
	fuzz_daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET, 0, NULL,
	                               NULL, fuzz_access, NULL, MHD_OPTION_NOTIFY_COMPLETED, fuzz_completed, NULL,
	                               MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)5, MHD_OPTION_END);
	if (!fuzz_daemon)
		abort();
}

/* libFuzzer's -timeout check is a periodic SIGALRM without SA_RESTART, so write, poll and
 * read here can return EINTR at any moment: that is neither a failure nor a hang (taking
 * it for one was the "stall" of the first campaigns). Retry, and measure the 10 s against
 * the clock. */
static void fuzz_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			abort();
		p += w;
		n -= (size_t)w;
	}
}

static int64_t fuzz_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when fd is readable within the deadline (ms, monotonic), 0 when the deadline passed. */
static int fuzz_wait(int fd, int64_t deadline)
{
	for (;;) {
		int64_t left = deadline - fuzz_now_ms();
		if (left <= 0)
			return 0;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, (int)left);
		if (n == 1)
			return 1;
		if (n < 0 && errno != EINTR)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, fuzz_init);
	if (size < 1 || size > FUZZ_BODY_MAX || fuzz_nroutes == 0)
		return 0;
	const struct web_route *r = fuzz_routes[data[0] % fuzz_nroutes];
	char path[256];
	snprintf(path, sizeof path, "%s", r->path);
	char *star = strchr(path, '*');
	if (star)
		snprintf(star, sizeof path - (size_t)(star - path), "1");
	char head[512];
	int hn = snprintf(head, sizeof head,
	                  "%s %s HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\nX-Fuzz-Route: %u\r\n"
	                  "Connection: close\r\nContent-Length: %zu\r\n\r\n",
	                  r->method, path, (unsigned)(data[0] % fuzz_nroutes), size - 1);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		abort();
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(40000) };
	peer.sin_addr.s_addr = htonl(0xc0000201); /* 192.0.2.1 */
	if (MHD_add_connection(fuzz_daemon, sv[0], (const struct sockaddr *)&peer, sizeof peer) != MHD_YES)
		abort();
	fuzz_write_all(sv[1], head, (size_t)hn);
	fuzz_write_all(sv[1], data + 1, size - 1);
	/* Every request is answered: a status line, then everything up to the close. */
	char first[16], rest[4096];
	size_t got = 0;
	int64_t deadline = fuzz_now_ms() + 10000;
	for (;;) {
		if (!fuzz_wait(sv[1], deadline)) {
			if (got >= 12) {
				/* Answered, but the connection stays open past Connection: close. */
				fprintf(stderr, "web_bodies: %s %s answered but not closed within 10 s\n", r->method, path);
				abort();
			}
			fprintf(stderr, "web_bodies: %s %s left unanswered for 10 s (fd %d, %zu bytes in)\n", r->method, path,
			        sv[0], got);
			if (getenv("RISS_FUZZ_HANG_WAIT")) /* time to attach a debugger */
				sleep((unsigned)atoi(getenv("RISS_FUZZ_HANG_WAIT")));
			abort(); /* a hang */
		}
		ssize_t n = got < sizeof first ? read(sv[1], first + got, sizeof first - got) : read(sv[1], rest, sizeof rest);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (got < sizeof first)
			got += (size_t)n;
	}
	if (got < 12 || strncmp(first, "HTTP/1.1 ", 9) != 0)
		abort();
	if (getenv("RISS_FUZZ_VERBOSE")) /* which answer each route gave, when replaying by hand */
		fprintf(stderr, "%s %s -> %.12s\n", r->method, path, first);
	close(sv[1]);
	return 0;
}
