/* rissd's listening socket: one accept thread hands each new connection to the least
 * loaded of N single-threaded libmicrohttpd daemons.
 *
 * Why not libmicrohttpd's own thread pool: there every worker polls the shared listening
 * socket and whichever wakes first accepts up to ten connections in a row, so a burst of
 * connections (a test centre opening, a load balancer reconnecting) can land on one worker
 * while another idles; measured here, all 64 connections of a benchmark client went to one
 * of two workers in one run out of three, halving throughput and doubling latency. Counting
 * each daemon's open connections and always choosing the smallest keeps them even. */
#include "web.h"

#include "rs_error.h"
#include "rs_log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct web_listener_slot {
	struct MHD_Daemon *d;
	/* Connections handed to d and not yet closed. Counted here rather than read from
	 * libmicrohttpd (MHD_DAEMON_INFO_CURRENT_CONNECTIONS), which counts a connection only
	 * once its worker has taken it in: a burst would otherwise all see the same counts. */
	atomic_int open;
};

struct web_listener {
	int fd;
	unsigned port;
	int conn_limit;
	atomic_int stopping;
	pthread_t thread;
	int thread_started;
	int n;
	struct web_listener_slot slot[];
};

static void web_listener_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                                enum MHD_ConnectionNotificationCode code)
{
	(void)conn;
	(void)socket_context;
	struct web_listener_slot *s = cls;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED)
		atomic_fetch_sub(&s->open, 1);
}

static int web_listener_pick(struct web_listener *l, int *total)
{
	int best = 0, best_open = atomic_load(&l->slot[0].open), sum = best_open;
	for (int i = 1; i < l->n; i++) {
		int o = atomic_load(&l->slot[i].open);
		sum += o;
		if (o < best_open) {
			best_open = o;
			best = i;
		}
	}
	*total = sum;
	return best;
}

static void *web_listener_main(void *arg)
{
	struct web_listener *l = arg;
	time_t last_warn = 0;
	for (;;) {
		struct sockaddr_storage addr;
		socklen_t alen = sizeof addr;
		int c = accept4(l->fd, (struct sockaddr *)&addr, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (atomic_load(&l->stopping)) {
			if (c >= 0)
				close(c);
			break;
		}
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
				continue;
			if (errno == EINVAL || errno == EBADF)
				break; /* the socket was shut down */
			/* Out of descriptors or memory: wait a little rather than spin, and say so at
			 * most once a minute. */
			time_t now = time(NULL);
			if (now - last_warn >= 60) {
				rs_warn("accept: %s (new connections wait until descriptors free up)", strerror(errno));
				last_warn = now;
			}
			struct timespec ts = { 0, 20000000L };
			nanosleep(&ts, NULL);
			continue;
		}
		int total = 0, i = web_listener_pick(l, &total);
		if (total >= l->conn_limit) {
			close(c); /* at the limit: the client sees the connection close at once */
			continue;
		}
		atomic_fetch_add(&l->slot[i].open, 1);
		if (MHD_add_connection(l->slot[i].d, c, (struct sockaddr *)&addr, alen) != MHD_YES)
			atomic_fetch_sub(&l->slot[i].open, 1); /* MHD closed it and never counted it */
	}
	return NULL;
}

static int web_listener_socket(struct web_listener *l, const char *host, int port)
{
	struct sockaddr_in addr;
	memset(&addr, 0, sizeof addr);
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
		rs_error_set("http_bind '%s' is not an IPv4 address", host);
		return RS_EINVAL;
	}
	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int on = 1;
	if (l->fd < 0 || setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
	    bind(l->fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(l->fd, 1024) != 0) {
		rs_error_set("cannot listen on %s:%d (%s)", host, port, strerror(errno));
		return RS_EIO;
	}
	socklen_t alen = sizeof addr;
	if (getsockname(l->fd, (struct sockaddr *)&addr, &alen) != 0) {
		rs_error_set("getsockname: %s", strerror(errno));
		return RS_EIO;
	}
	l->port = ntohs(addr.sin_port);
	return 0;
}

int web_listener_start(struct web_listener **out, const char *host, int port, int threads, int conn_limit,
                       int timeout_s)
{
	if (threads < 1)
		threads = 1;
	struct web_listener *l = calloc(1, sizeof *l + (size_t)threads * sizeof l->slot[0]);
	if (!l)
		return RS_ENOMEM;
	l->fd = -1;
	l->conn_limit = conn_limit;
	int rc = web_listener_socket(l, host, port);
	for (int i = 0; rc == 0 && i < threads; i++) {
		atomic_init(&l->slot[i].open, 0);
		rc = web_server_daemon_new(&l->slot[i].d, conn_limit, timeout_s, web_listener_notify, &l->slot[i]);
		if (rc == 0)
			l->n = i + 1;
	}
	if (rc == 0) {
		if (pthread_create(&l->thread, NULL, web_listener_main, l) != 0) {
			rs_error_set("cannot start the accept thread");
			rc = RS_EIO;
		} else {
			l->thread_started = 1;
		}
	}
	if (rc != 0) {
		web_listener_stop(l);
		return rc;
	}
	*out = l;
	return 0;
}

unsigned web_listener_port(const struct web_listener *l)
{
	return l->port;
}

int web_listener_connections(struct web_listener *l)
{
	int total = 0;
	(void)web_listener_pick(l, &total);
	return total;
}

int web_listener_workers(const struct web_listener *l)
{
	return l->n;
}

int web_listener_worker_connections(struct web_listener *l, int i)
{
	return i >= 0 && i < l->n ? atomic_load(&l->slot[i].open) : 0;
}

void web_listener_quiesce(struct web_listener *l)
{
	if (!l || l->fd < 0)
		return;
	atomic_store(&l->stopping, 1);
	shutdown(l->fd, SHUT_RDWR); /* wakes accept() with EINVAL */
	if (l->thread_started) {
		pthread_join(l->thread, NULL);
		l->thread_started = 0;
	}
	close(l->fd);
	l->fd = -1;
}

void web_listener_stop(struct web_listener *l)
{
	if (!l)
		return;
	web_listener_quiesce(l);
	if (l->fd >= 0)
		close(l->fd);
	for (int i = 0; i < l->n; i++)
		MHD_stop_daemon(l->slot[i].d);
	free(l);
}
