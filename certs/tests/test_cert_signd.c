/* Starts the real riss-signd on a temporary socket and signs through it: signatures verify,
 * unknown and retired kids are refused, SIGHUP reloads keys, SIGTERM stops cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "cert_keys.h"
#include "cert_signd.h"
#include "rs_encode.h"
#include "rs_error.h"

static char dir[64], sock[128], logpath[128];

static pid_t start_signd(void)
{
	const char *exe = getenv("RISS_SIGND_EXE");
	assert_non_null(exe);
	unlink(sock);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 2);
		execl(exe, "riss-signd", "--keys", dir, "--socket", sock, (char *)NULL);
		_exit(127);
	}
	/* Wait until the socket accepts connections. */
	for (int i = 0; i < 200; i++) {
		struct cert_signd_conn *c = NULL;
		if (cert_signd_connect(&c, sock) == 0) {
			cert_signd_close(c);
			return pid;
		}
		usleep(20000);
	}
	fail_msg("riss-signd did not start");
	return -1;
}

/* A JWS signing input riss-signd agrees to sign: our header for kid, payload {"n":i}. */
static size_t jws_input(unsigned char *out, size_t cap, const char *kid, const char *typ, int i)
{
	char hdr[256], pl[64], eh[400], ep[100];
	snprintf(hdr, sizeof hdr, "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"%s\"}", kid, typ);
	snprintf(pl, sizeof pl, "{\"n\":%d}", i);
	rs_b64url_encode(eh, (const unsigned char *)hdr, strlen(hdr));
	rs_b64url_encode(ep, (const unsigned char *)pl, strlen(pl));
	int n = snprintf((char *)out, cap, "%s.%s", eh, ep);
	assert_true(n > 0 && (size_t)n < cap);
	return (size_t)n;
}

static int log_contains(const char *needle)
{
	char buf[65536];
	FILE *f = fopen(logpath, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

/* On a failed stop, show what the daemon said: its log is all there is to go on. */
static void print_log(void)
{
	char buf[65536];
	FILE *f = fopen(logpath, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	fprintf(stderr, "--- riss-signd log (%s) ---\n%s--- end of log ---\n", logpath, buf);
}

static void test_sign_through_daemon(void **state)
{
	(void)state;
	struct cert_keydir kd;
	char kid1[CERT_KID_MAX + 1], kid2[CERT_KID_MAX + 1], line[256], hex[65];
	unsigned char sig[64], dg[32], msg[512];
	const int64_t now = (int64_t)time(NULL);
	struct stat st;

	strcpy(dir, "/tmp/cert-signd-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof sock, "%s/signd.sock", dir);
	snprintf(logpath, sizeof logpath, "%s/signd.log", dir);
	assert_int_equal(cert_keydir_load(&kd, dir), 0);
	assert_int_equal(cert_keydir_new(kid1, &kd, now), 0);

	size_t msg_len = jws_input(msg, sizeof msg, kid1, "riss+jwt", 0);
	pid_t pid = start_signd();
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);

	/* A signature made by the daemon verifies with the public key from keys.json. */
	assert_int_equal(cert_signd_sign(sig, sock, kid1, msg, msg_len), 0);
	assert_int_equal(cert_ed25519_verify(kd.keys[0].pub, msg, msg_len, sig), 0);
	SHA256(msg, msg_len, dg);
	rs_hex_encode(hex, dg, 32);
	snprintf(line, sizeof line, "sign kid=%s sha256=%s", kid1, hex);
	assert_true(log_contains(line));
	snprintf(line, sizeof line, "pid=%ld", (long)getpid());
	assert_true(log_contains(line));

	/* A persistent connection serves many requests. */
	struct cert_signer s;
	assert_int_equal(cert_signd_signer_new(&s, sock), 0);
	for (int i = 0; i < 50; i++) {
		unsigned char m[512];
		size_t ml = jws_input(m, sizeof m, kid1, i % 2 ? "statuslist+jwt" : "riss+jwt", i);
		assert_int_equal(s.sign(s.ctx, sig, kid1, m, ml), 0);
		assert_int_equal(cert_ed25519_verify(kd.keys[0].pub, m, ml, sig), 0);
	}

	/* Bytes that are none of the kinds it serves are refused, and the connection stays
	 * usable: arbitrary bytes, a header naming another kid or alg or typ, a payload that is
	 * not JSON, a malformed checkpoint note. A real checkpoint note is signed. */
	{
		static const char *const bad[] = {
			"header.payload", "arbitrary bytes", "", "a.b.c",
			"origin\n12\nnot-a-hash\n", "origin\n012\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
			"origin\n\n12\n", "origin\n12\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		};
		for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
			assert_int_equal(s.sign(s.ctx, sig, kid1, (const unsigned char *)bad[i], strlen(bad[i])), RS_EINVAL);
		unsigned char m[512];
		size_t ml = jws_input(m, sizeof m, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "riss+jwt", 1);
		assert_int_equal(s.sign(s.ctx, sig, kid1, m, ml), RS_EINVAL);
		ml = jws_input(m, sizeof m, kid1, "JWT", 1);
		assert_int_equal(s.sign(s.ctx, sig, kid1, m, ml), RS_EINVAL);
		char hdr[200], eh[300];
		snprintf(hdr, sizeof hdr, "{\"alg\":\"EdDSA\",\"kid\":\"%s\",\"typ\":\"riss+jwt\"}", kid1);
		rs_b64url_encode(eh, (const unsigned char *)hdr, strlen(hdr));
		char notjson[400];
		snprintf(notjson, sizeof notjson, "%s.bm90IGpzb24", eh); /* "not json" */
		assert_int_equal(s.sign(s.ctx, sig, kid1, (const unsigned char *)notjson, strlen(notjson)), RS_EINVAL);
		const char note[] = "riss.example/log\n7\nq2o5f7ZJr1Uwr6vK5mTq3b3A0YyYyYyYyYyYyYyYyYw=\n";
		assert_int_equal(s.sign(s.ctx, sig, kid1, (const unsigned char *)note, strlen(note)), 0);
		assert_int_equal(cert_ed25519_verify(kd.keys[0].pub, (const unsigned char *)note, strlen(note), sig), 0);
		assert_true(log_contains("not a JWS signing input"));
	}

	/* Pipelined: 100 messages (more than one group) signed at once, each signature good;
	 * an unknown kid refuses the batch and the signer still works afterwards. */
	{
		enum { N = 100 };
		unsigned char bodies[N][512], (*sigs)[CERT_SIG_LEN] = calloc(N, CERT_SIG_LEN);
		const unsigned char *mp[N];
		size_t lens[N];
		for (int i = 0; i < N; i++) {
			lens[i] = jws_input(bodies[i], sizeof bodies[i], kid1, "riss+jwt", i);
			mp[i] = bodies[i];
		}
		assert_non_null(s.sign_many);
		assert_int_equal(cert_sign_many(&s, sigs, kid1, mp, lens, N), 0);
		for (int i = 0; i < N; i++)
			assert_int_equal(cert_ed25519_verify(kd.keys[0].pub, mp[i], lens[i], sigs[i]), 0);
		assert_int_equal(cert_sign_many(&s, sigs, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", mp, lens, N),
		                 RS_ENOTFOUND);
		assert_int_equal(cert_sign_many(&s, sigs, kid1, mp, lens, 3), 0);
		assert_int_equal(cert_ed25519_verify(kd.keys[0].pub, mp[2], lens[2], sigs[2]), 0);
		free(sigs);
	}

	/* Unknown kid and oversize messages are refused, the daemon keeps serving. */
	assert_int_equal(cert_signd_sign(sig, sock, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", msg, msg_len),
	                 RS_ENOTFOUND);
	unsigned char *big = calloc(1, CERT_SIGND_MAX_MSG + 1);
	assert_int_equal(cert_signd_sign(sig, sock, kid1, big, CERT_SIGND_MAX_MSG + 1), RS_ETOOBIG);
	free(big);

	/* A raw request with a length beyond the bound gets TOO_BIG, not a crash. */
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		strcpy(sa.sun_path, sock);
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
		unsigned char req[4] = { 0x7f, 0xff, 0xff, 0xff }, resp[69];
		assert_int_equal(write(fd, req, 4), 4);
		assert_int_equal(recv(fd, resp, sizeof resp, MSG_WAITALL), 69);
		assert_int_equal(resp[4], CERT_SIGND_TOO_BIG);
		close(fd);
	}

	/* Rotate on disk, SIGHUP: the old kid is now refused as retired, the new one signs. */
	assert_int_equal(cert_keydir_rotate(kid2, &kd, now, 1000), 0);
	assert_int_equal(kill(pid, SIGHUP), 0);
	int rc = 0;
	for (int i = 0; i < 100; i++) {
		rc = s.sign(s.ctx, sig, kid1, msg, msg_len);
		if (rc == RS_ESTATE)
			break;
		usleep(20000);
	}
	assert_int_equal(rc, RS_ESTATE);
	unsigned char msg2[512];
	size_t msg2_len = jws_input(msg2, sizeof msg2, kid2, "riss+jwt", 2);
	assert_int_equal(s.sign(s.ctx, sig, kid2, msg2, msg2_len), 0);
	assert_int_equal(cert_ed25519_verify(cert_keydir_find(&kd, kid2)->pub, msg2, msg2_len, sig), 0);

	/* SIGTERM with a client still connected: the daemon exits 0 and removes its socket. */
	assert_int_equal(kill(pid, SIGTERM), 0);
	int wst = 0;
	assert_int_equal(waitpid(pid, &wst, 0), pid);
	if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0)
		print_log();
	assert_true(WIFEXITED(wst));
	assert_int_equal(WEXITSTATUS(wst), 0);
	assert_int_not_equal(access(sock, F_OK), 0);
	assert_int_equal(s.sign(s.ctx, sig, kid2, msg2, msg2_len), RS_EUNAVAIL);
	cert_signd_signer_free(&s);

	cert_keydir_free(&kd);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* In a child running as uid 65534: sign one well-formed input; exit 0 on success, 10 when
 * refused as not permitted, 20 otherwise. */
static int sign_as_nobody(const char *kid)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(30);
		unsigned char m[512], sig[CERT_SIG_LEN];
		size_t ml = jws_input(m, sizeof m, kid, "riss+jwt", 9);
		int rc = cert_signd_sign(sig, sock, kid, m, ml);
		_exit(rc == 0 ? 0 : rc == RS_EPERM ? 10 : 20);
	}
	int wst = 0;
	assert_int_equal(waitpid(pid, &wst, 0), pid);
	assert_true(WIFEXITED(wst));
	return WEXITSTATUS(wst);
}

/* Only riss-signd's own uid and the configured users may have anything signed, even when
 * the socket's mode lets others connect (finding 3 of the security review). */
static void test_peer_credentials(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		skip();
		return;
	}
	struct cert_keydir kd;
	char kid[CERT_KID_MAX + 1];
	strcpy(dir, "/tmp/cert-signd-XXXXXX");
	assert_non_null(mkdtemp(dir));
	assert_int_equal(chmod(dir, 0755), 0);
	snprintf(sock, sizeof sock, "%s/signd.sock", dir);
	snprintf(logpath, sizeof logpath, "%s/signd.log", dir);
	assert_int_equal(cert_keydir_load(&kd, dir), 0);
	assert_int_equal(cert_keydir_new(kid, &kd, (int64_t)time(NULL)), 0);

	unsetenv("RISS_SIGND_ALLOW_UIDS");
	pid_t pid = start_signd();
	assert_int_equal(chmod(sock, 0666), 0); /* a mistaken mode: the uid check still holds */
	assert_int_equal(sign_as_nobody(kid), 10);
	assert_true(log_contains("refused connection"));
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);

	setenv("RISS_SIGND_ALLOW_UIDS", "65534", 1);
	pid = start_signd();
	assert_int_equal(chmod(sock, 0666), 0);
	assert_int_equal(sign_as_nobody(kid), 0);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unsetenv("RISS_SIGND_ALLOW_UIDS");

	cert_keydir_free(&kd);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_through_daemon),
		cmocka_unit_test(test_peer_credentials),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
