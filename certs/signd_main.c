/* riss-signd: holds the issuer's Ed25519 private keys and signs bytes for local clients over
 * a UNIX socket (docs/signd-protocol.md). One thread per connection; SIGHUP reloads the
 * keys, SIGTERM/SIGINT stop accepting, let in-flight requests finish and remove the socket. */
#include <errno.h>
#include <stdarg.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "cert_keys.h"
#include "cert_signd.h"
#include "rs_config.h"
#include "rs_encode.h"
#include "rs_error.h"

#define CERT_SIGND_MAX_CONNS 256

static struct {
	const char *keys_dir;
	const char *socket_path;
	const char *allow_uids, *allow_gids; /* who besides our own uid may ask */
	struct cert_keyring *kr;       /* guarded by lock */
	pthread_rwlock_t lock;
	pthread_mutex_t conn_mu;
	pthread_cond_t conn_cv;
	int conns[CERT_SIGND_MAX_CONNS]; /* open client fds, -1 when free */
	int nconns;
	int stopping;
} cert_sd = {
	.lock = PTHREAD_RWLOCK_INITIALIZER,
	.conn_mu = PTHREAD_MUTEX_INITIALIZER,
	.conn_cv = PTHREAD_COND_INITIALIZER,
};

static void cert_sd_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void cert_sd_log(const char *fmt, ...)
{
	char ts[32], line[768];
	struct timespec now;
	va_list ap;
	clock_gettime(CLOCK_REALTIME, &now);
	cert_time_format(ts, now.tv_sec);
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	/* One write per line so concurrent threads never interleave inside a line. */
	fprintf(stderr, "%s riss-signd: %s\n", ts, line);
}

static int cert_sd_reply(int fd, enum cert_signd_status st, const unsigned char *sig)
{
	unsigned char r[4 + CERT_SIGND_RESP_BODY] = { 0, 0, 0, CERT_SIGND_RESP_BODY };
	r[4] = (unsigned char)st;
	if (sig)
		memcpy(r + 5, sig, CERT_SIG_LEN);
	return cert_signd_io(fd, r, sizeof r, 1);
}

static void cert_sd_conn_remove(int fd)
{
	pthread_mutex_lock(&cert_sd.conn_mu);
	for (int i = 0; i < CERT_SIGND_MAX_CONNS; i++)
		if (cert_sd.conns[i] == fd) {
			cert_sd.conns[i] = -1;
			break;
		}
	cert_sd.nconns--;
	pthread_cond_broadcast(&cert_sd.conn_cv);
	pthread_mutex_unlock(&cert_sd.conn_mu);
}

/* Serve one connection: requests until the peer closes or sends something malformed. */
static void *cert_sd_serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct ucred cred = { .pid = 0, .uid = (uid_t)-1 };
	socklen_t cl = sizeof cred;
	unsigned char *body = malloc(CERT_SIGND_MAX_BODY);
	int have_cred = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) == 0;
	if (!have_cred || !cert_signd_peer_allowed((unsigned)cred.uid, (unsigned)cred.gid, (unsigned)getuid(),
	                                           cert_sd.allow_uids, cert_sd.allow_gids)) {
		cert_sd_log("refused connection pid=%ld uid=%ld gid=%ld: not in signd_allow_uids/signd_allow_gids",
		            (long)cred.pid, (long)cred.uid, (long)cred.gid);
		cert_sd_reply(fd, CERT_SIGND_NOT_PERMITTED, NULL);
		/* Let the peer read the answer: stop writing, then drain what it sent (for a second
		 * at most) so that closing with unread bytes does not reset the connection first. */
		shutdown(fd, SHUT_WR);
		struct timeval tv = { .tv_sec = 1 };
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
		unsigned char sink[4096];
		for (int i = 0; i < 256 && read(fd, sink, sizeof sink) > 0; i++)
			;
		free(body);
		body = NULL;
	}

	while (body) {
		unsigned char lenb[4];
		uint32_t len;
		struct cert_signd_req req;
		enum cert_signd_status st;
		unsigned char sig[CERT_SIG_LEN], dg[SHA256_DIGEST_LENGTH];
		char dghex[2 * SHA256_DIGEST_LENGTH + 1];
		int rc;

		if (cert_signd_io(fd, lenb, 4, 0) != 0)
			break;
		len = (uint32_t)lenb[0] << 24 | (uint32_t)lenb[1] << 16 | (uint32_t)lenb[2] << 8 | lenb[3];
		if (len > CERT_SIGND_MAX_BODY) {
			/* The stream cannot be resynchronised without reading it: answer and close. */
			cert_sd_log("refused pid=%ld: request of %u bytes exceeds %d", (long)cred.pid,
			            len, CERT_SIGND_MAX_BODY);
			cert_sd_reply(fd, CERT_SIGND_TOO_BIG, NULL);
			break;
		}
		if (cert_signd_io(fd, body, len, 0) != 0)
			break;
		if (cert_signd_parse_request(&req, &st, body, len) != 0) {
			cert_sd_log("refused pid=%ld: %s", (long)cred.pid, rs_error_last());
			cert_sd_reply(fd, st, NULL);
			break;
		}
		SHA256(req.msg, req.msg_len, dg);
		rs_hex_encode(dghex, dg, sizeof dg);
		pthread_rwlock_rdlock(&cert_sd.lock);
		rc = cert_keyring_usable(cert_sd.kr, req.kid);
		int bad_input = rc == 0 && cert_signd_input_check(req.msg, req.msg_len, req.kid) != 0;
		if (rc == 0 && !bad_input)
			rc = cert_keyring_sign(cert_sd.kr, sig, req.kid, req.msg, req.msg_len);
		pthread_rwlock_unlock(&cert_sd.lock);
		if (bad_input) {
			/* Well framed but not ours to sign: answer, keep the connection. */
			cert_sd_log("refused kid=%s sha256=%s len=%zu pid=%ld uid=%ld: %s", req.kid, dghex, req.msg_len,
			            (long)cred.pid, (long)cred.uid, rs_error_last());
			if (cert_sd_reply(fd, CERT_SIGND_BAD_INPUT, NULL) != 0)
				break;
			continue;
		}
		st = rc == 0 ? CERT_SIGND_OK : rc == RS_ENOTFOUND ? CERT_SIGND_UNKNOWN_KID
		     : rc == RS_ESTATE ? CERT_SIGND_RETIRED_KID : CERT_SIGND_INTERNAL;
		cert_sd_log("%s kid=%s sha256=%s len=%zu pid=%ld uid=%ld", rc == 0 ? "sign" : "refused",
		            req.kid, dghex, req.msg_len, (long)cred.pid, (long)cred.uid);
		if (cert_sd_reply(fd, st, rc == 0 ? sig : NULL) != 0)
			break;
	}
	free(body);
	close(fd);
	/* Free OpenSSL's per-thread state now, before the stop path can see this connection
	 * gone and exit while the thread's key destructors are still running (a leak). */
	OPENSSL_thread_stop();
	cert_sd_conn_remove(fd);
	return NULL;
}

static int cert_sd_reload(void)
{
	struct cert_keyring *kr = NULL, *old;
	int rc = cert_keyring_load(&kr, cert_sd.keys_dir);
	if (rc) {
		cert_sd_log("key reload failed, keeping the old keys: %s", rs_error_last());
		return rc;
	}
	pthread_rwlock_wrlock(&cert_sd.lock);
	old = cert_sd.kr;
	cert_sd.kr = kr;
	pthread_rwlock_unlock(&cert_sd.lock);
	cert_keyring_free(old);
	cert_sd_log("loaded %zu keys from '%s'", cert_keyring_count(kr), cert_sd.keys_dir);
	return 0;
}

static int cert_sd_listen(const char *path)
{
	struct sockaddr_un sa;
	int fd;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa.sun_path) {
		fprintf(stderr, "riss-signd: socket path '%s' is too long\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* A live socket means another riss-signd: refuse; a dead one is a leftover: remove. */
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		fprintf(stderr, "riss-signd: another instance is listening on '%s'\n", path);
		close(fd);
		return -1;
	}
	close(fd);
	unlink(path);
	/* Create the socket's folder (var/run in development) when it is missing. */
	char parent[sizeof sa.sun_path];
	strcpy(parent, path);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		for (char *p = parent + 1; ; p++) {
			if (*p != '/' && *p != '\0')
				continue;
			char saved = *p;
			*p = '\0';
			if (mkdir(parent, 0750) != 0 && errno != EEXIST) {
				fprintf(stderr, "riss-signd: cannot create '%s': %s\n", parent, strerror(errno));
				return -1;
			}
			*p = saved;
			if (!saved)
				break;
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	mode_t old = umask(0117);
	int ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	umask(old);
	if (!ok || chmod(path, 0660) != 0 || listen(fd, 64) != 0) {
		fprintf(stderr, "riss-signd: cannot listen on '%s': %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void cert_sd_usage(FILE *f)
{
	fprintf(f, "usage: riss-signd [--config FILE] [--keys DIR] [--socket PATH]\n\n"
	           "Holds the issuer's Ed25519 private keys (DIR/<kid>.pem, mode 0600) and signs\n"
	           "bytes for local clients on a UNIX socket (mode 0660). SIGHUP reloads the keys;\n"
	           "SIGTERM stops after in-flight requests. One log line per signature on stderr.\n"
	           "Only its own uid and the users/groups in signd_allow_uids / signd_allow_gids may\n"
	           "connect, and it signs only JWS signing inputs of its types and checkpoint notes.\n\n"
	           "  --config FILE  settings file (default var/riss.conf when present)\n"
	           "  --keys DIR     key directory (setting keys_dir, RISS_KEYS_DIR; default var/keys)\n"
	           "  --socket PATH  socket path (setting signd_socket, RISS_SIGND_SOCKET)\n");
}

int main(int argc, char **argv)
{
	sigset_t sigs;
	int sfd = -1, lfd = -1, rc = 1;
	const char *config = NULL;

	/* Settings: var/riss.conf, then RISS_KEYS_DIR / RISS_SIGND_SOCKET, then the flags. */
	if (argc >= 3 && strcmp(argv[1], "--config") == 0)
		config = argv[2];
	if (rs_config_init(config) != 0) {
		fprintf(stderr, "riss-signd: %s\n", rs_error_last());
		return 2;
	}
	cert_sd.keys_dir = rs_config_str("keys_dir");
	cert_sd.socket_path = rs_config_str("signd_socket");
	cert_sd.allow_uids = rs_config_str("signd_allow_uids");
	cert_sd.allow_gids = rs_config_str("signd_allow_gids");
	for (int i = config ? 3 : 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cert_sd_usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--keys") == 0 && i + 1 < argc) {
			cert_sd.keys_dir = argv[++i];
		} else if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			cert_sd.socket_path = argv[++i];
		} else {
			fprintf(stderr, "riss-signd: unknown or incomplete option '%s' (see --help)\n", argv[i]);
			return 2;
		}
	}
	for (int i = 0; i < CERT_SIGND_MAX_CONNS; i++)
		cert_sd.conns[i] = -1;

	/* Signals arrive through a signalfd; every thread inherits the blocked mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);

	if (cert_sd_reload() != 0) {
		fprintf(stderr, "riss-signd: %s\n", rs_error_last());
		goto done;
	}
	if (sfd < 0 || (lfd = cert_sd_listen(cert_sd.socket_path)) < 0)
		goto done;
	cert_sd_log("listening on '%s' with %zu keys", cert_sd.socket_path, cert_keyring_count(cert_sd.kr));

	while (!cert_sd.stopping) {
		struct pollfd p[2] = { { .fd = lfd, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
				if (si.ssi_signo == SIGHUP)
					cert_sd_reload();
				else
					cert_sd.stopping = 1;
			}
		}
		if (!cert_sd.stopping && (p[0].revents & POLLIN)) {
			int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			pthread_t th;
			int slot = -1;
			if (cfd < 0)
				continue;
			pthread_mutex_lock(&cert_sd.conn_mu);
			for (int i = 0; i < CERT_SIGND_MAX_CONNS && slot < 0; i++)
				if (cert_sd.conns[i] < 0)
					slot = i;
			if (slot >= 0) {
				cert_sd.conns[slot] = cfd;
				cert_sd.nconns++;
			}
			pthread_mutex_unlock(&cert_sd.conn_mu);
			if (slot < 0) {
				cert_sd_log("refused a connection: %d already open", CERT_SIGND_MAX_CONNS);
				close(cfd);
				continue;
			}
			if (pthread_create(&th, NULL, cert_sd_serve, (void *)(intptr_t)cfd) != 0) {
				close(cfd);
				cert_sd_conn_remove(cfd);
				continue;
			}
			pthread_detach(th);
		}
	}

	/* Graceful stop: no new connections; idle ones see EOF; in-flight requests finish. */
	close(lfd);
	lfd = -1;
	unlink(cert_sd.socket_path);
	pthread_mutex_lock(&cert_sd.conn_mu);
	for (int i = 0; i < CERT_SIGND_MAX_CONNS; i++)
		if (cert_sd.conns[i] >= 0)
			shutdown(cert_sd.conns[i], SHUT_RD);
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	while (cert_sd.nconns > 0)
		if (pthread_cond_timedwait(&cert_sd.conn_cv, &cert_sd.conn_mu, &until) == ETIMEDOUT)
			break;
	int left = cert_sd.nconns;
	pthread_mutex_unlock(&cert_sd.conn_mu);
	cert_sd_log("stopped (%d connections still open)", left);
	rc = left ? 1 : 0;
	if (left == 0)
		cert_keyring_free(cert_sd.kr);
done:
	if (lfd >= 0)
		close(lfd);
	if (sfd >= 0)
		close(sfd);
	return rc;
}
