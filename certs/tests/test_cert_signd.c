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

static void test_sign_through_daemon(void **state)
{
	(void)state;
	struct cert_keydir kd;
	char kid1[CERT_KID_MAX + 1], kid2[CERT_KID_MAX + 1], line[256], hex[65];
	unsigned char sig[64], dg[32];
	const unsigned char msg[] = "header.payload";
	const int64_t now = (int64_t)time(NULL);
	struct stat st;

	strcpy(dir, "/tmp/cert-signd-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof sock, "%s/signd.sock", dir);
	snprintf(logpath, sizeof logpath, "%s/signd.log", dir);
	assert_int_equal(cert_keydir_load(&kd, dir), 0);
	assert_int_equal(cert_keydir_new(kid1, &kd, now), 0);

	pid_t pid = start_signd();
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);

	/* A signature made by the daemon verifies with the public key from keys.json. */
	assert_int_equal(cert_signd_sign(sig, sock, kid1, msg, sizeof msg - 1), 0);
	assert_int_equal(cert_ed25519_verify(kd.keys[0].pub, msg, sizeof msg - 1, sig), 0);
	SHA256(msg, sizeof msg - 1, dg);
	rs_hex_encode(hex, dg, 32);
	snprintf(line, sizeof line, "sign kid=%s sha256=%s", kid1, hex);
	assert_true(log_contains(line));
	snprintf(line, sizeof line, "pid=%ld", (long)getpid());
	assert_true(log_contains(line));

	/* A persistent connection serves many requests. */
	struct cert_signer s;
	assert_int_equal(cert_signd_signer_new(&s, sock), 0);
	for (int i = 0; i < 50; i++) {
		unsigned char m[8] = { (unsigned char)i };
		assert_int_equal(s.sign(s.ctx, sig, kid1, m, sizeof m), 0);
		assert_int_equal(cert_ed25519_verify(kd.keys[0].pub, m, sizeof m, sig), 0);
	}

	/* Pipelined: 100 messages (more than one group) signed at once, each signature good;
	 * an unknown kid refuses the batch and the signer still works afterwards. */
	{
		enum { N = 100 };
		unsigned char bodies[N][40], (*sigs)[CERT_SIG_LEN] = calloc(N, CERT_SIG_LEN);
		const unsigned char *mp[N];
		size_t lens[N];
		for (int i = 0; i < N; i++) {
			memset(bodies[i], 'a' + i % 26, sizeof bodies[i]);
			mp[i] = bodies[i];
			lens[i] = (size_t)(1 + i % 40);
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
	assert_int_equal(cert_signd_sign(sig, sock, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", msg, 3),
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
		rc = s.sign(s.ctx, sig, kid1, msg, 3);
		if (rc == RS_ESTATE)
			break;
		usleep(20000);
	}
	assert_int_equal(rc, RS_ESTATE);
	assert_int_equal(s.sign(s.ctx, sig, kid2, msg, 3), 0);
	assert_int_equal(cert_ed25519_verify(cert_keydir_find(&kd, kid2)->pub, msg, 3, sig), 0);

	/* SIGTERM with a client still connected: the daemon exits 0 and removes its socket. */
	assert_int_equal(kill(pid, SIGTERM), 0);
	int wst = 0;
	assert_int_equal(waitpid(pid, &wst, 0), pid);
	assert_true(WIFEXITED(wst));
	assert_int_equal(WEXITSTATUS(wst), 0);
	assert_int_not_equal(access(sock, F_OK), 0);
	assert_int_equal(s.sign(s.ctx, sig, kid2, msg, 3), RS_EUNAVAIL);
	cert_signd_signer_free(&s);

	cert_keydir_free(&kd);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_through_daemon),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
