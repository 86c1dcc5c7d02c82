/* Replays corpus files through a fuzz target, so fuzz targets run as plain regression tests.
 * In the libFuzzer build (deploy/fuzz: -DRISS_LIBFUZZER, -fsanitize=fuzzer) libFuzzer brings
 * its own main and this file is empty. */
#ifndef RISS_LIBFUZZER
#include <dirent.h>
#include <signal.h>
#include <sys/time.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	size_t cap = 1 << 16, len = 0;
	uint8_t *buf = malloc(cap);
	size_t n;
	while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			uint8_t *nb = realloc(buf, cap *= 2);
			if (!nb) { free(buf); buf = NULL; }
			else buf = nb;
		}
	}
	fclose(f);
	if (!buf)
		return 1;
	/* Copy to an exact-size buffer so ASan sees reads past the end. */
	uint8_t *exact = malloc(len ? len : 1);
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

/* libFuzzer arms a periodic SIGALRM for its -timeout check (a handler without SA_RESTART),
 * so a target's system calls can return EINTR at any moment. RISS_FUZZ_ALARM_US=<micro
 * seconds> does the same during a replay, so a target that mistakes EINTR for a failure or
 * a hang fails here too (web_bodies' stall, issue 17). */
static void fuzz_alarm(int sig)
{
	(void)sig;
}

static void fuzz_alarm_arm(void)
{
	const char *us = getenv("RISS_FUZZ_ALARM_US");
	long n = us ? strtol(us, NULL, 10) : 0;
	if (n <= 0)
		return;
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fuzz_alarm; /* no SA_RESTART, as libFuzzer */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { .it_interval = { n / 1000000, n % 1000000 }, .it_value = { n / 1000000, n % 1000000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

int main(int argc, char **argv)
{
	int files = 0, bad = 0;
	fuzz_alarm_arm();
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *e;
			while (d && (e = readdir(d)) != NULL) {
				if (e->d_name[0] == '.')
					continue;
				char path[4096];
				snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
				bad += fuzz_run_file(path);
				files++;
			}
			if (d)
				closedir(d);
		} else {
			bad += fuzz_run_file(argv[i]);
			files++;
		}
	}
	printf("replayed %d corpus files\n", files);
	return bad ? 1 : 0;
}
#endif
