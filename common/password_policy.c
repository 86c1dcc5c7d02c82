/* Which new passwords are acceptable (ASVS 2.1.7): long enough, not common or breached by
 * cracklib's dictionary (Debian's cracklib-runtime: FascistCheck and the packed word list),
 * not a dictionary word dressed up with digits and symbols, no keyboard, alphabet or digit run,
 * nothing of the holder's own names. */
#include "rs_password.h"

#include "rs_error.h"

#include <crack.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* cracklib keeps no promise of thread safety: one check at a time. */
static pthread_mutex_t rs_pw_mu = PTHREAD_MUTEX_INITIALIZER;

/* The word inside pw: what lies between its first and last letter, lower case, with the
 * usual substitutions undone (P@ssw0rd99! -> password) and other digits, symbols and spaces
 * dropped; digits and symbols before the first or after the last letter are what people add
 * to a word to pass a rule, so they do not count. */
static void rs_pw_core(char *out, size_t cap, const char *pw)
{
	static const char from[] = "0134578@$!|+", to[] = "oleastbasilt";
	const unsigned char *b = (const unsigned char *)pw, *e = b + strlen(pw);
	while (b < e && !isalpha(*b))
		b++;
	while (e > b && !isalpha(e[-1]))
		e--;
	size_t n = 0;
	for (const unsigned char *p = b; p < e && n + 1 < cap; p++) {
		const char *m = strchr(from, *p);
		if (*p && m)
			out[n++] = to[m - from];
		else if (isalpha(*p))
			out[n++] = (char)tolower(*p);
	}
	out[n] = '\0';
}

/* True when s (lower case) runs along a keyboard row or the alphabet, either way. */
static int rs_pw_run(const char *s)
{
	static const char *const rows[] = { "qwertyuiopasdfghjklzxcvbnm", "abcdefghijklmnopqrstuvwxyz",
	                                    "mnbvcxzlkjhgfdsapoiuytrewq", "zyxwvutsrqponmlkjihgfedcba" };
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		if (strstr(rows[i], s))
			return 1;
	return 0;
}

/* How many different characters s has. */
static int rs_pw_distinct(const char *s)
{
	unsigned char seen[256] = { 0 };
	int n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!seen[*p]++)
			n++;
	return n;
}

/* Case-insensitive: does hay contain needle? */
static int rs_pw_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *h = hay; *h; h++)
		if (strncasecmp(h, needle, n) == 0)
			return 1;
	return 0;
}

int rs_password_acceptable(const char *password, const char *const *personal)
{
	size_t chars = password ? rs_password_chars(password) : 0;
	if (chars < RS_PASSWORD_MIN || chars > RS_PASSWORD_MAX || strlen(password) > RS_PASSWORD_BYTES_MAX) {
		char lo[8], hi[8];
		snprintf(lo, sizeof lo, "%d", RS_PASSWORD_MIN);
		snprintf(hi, sizeof hi, "%d", RS_PASSWORD_MAX);
		rs_error_msg("security.password_length", lo, hi, NULL);
		return RS_EINVAL;
	}
	/* The holder's own words (user name, names, registration number): each part of 4 or more
	 * characters, split at spaces. */
	for (size_t i = 0; personal && personal[i]; i++) {
		char w[256];
		snprintf(w, sizeof w, "%s", personal[i]);
		char *save = NULL;
		for (char *t = strtok_r(w, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
			if (strlen(t) >= 4 && rs_pw_contains(password, t)) {
				rs_error_msg("security.password_personal", NULL);
				return RS_EINVAL;
			}
	}
	const char *dict = GetDefaultCracklibDict();
	char probe[4096];
	snprintf(probe, sizeof probe, "%s.pwd", dict);
	if (access(probe, R_OK) != 0) {
		rs_error_internal("password dictionary %s is missing (Debian package cracklib-runtime)", dict);
		return RS_EINTERNAL;
	}
	char core[RS_PASSWORD_BYTES_MAX + 1];
	rs_pw_core(core, sizeof core, password);
	pthread_mutex_lock(&rs_pw_mu);
	const char *why = FascistCheckUser(password, dict, personal && personal[0] ? personal[0] : "riss", NULL);
	/* The word inside, on its own: cracklib says whether it is (based on) a dictionary word. */
	if (!why && strlen(core) >= 6)
		why = FascistCheckUser(core, dict, personal && personal[0] ? personal[0] : "riss", NULL);
	pthread_mutex_unlock(&rs_pw_mu);
	/* A run (qwertyuiop, abcdef..., 1234567890...) or little but digits and symbols with few
	 * different characters. */
	int weak = why != NULL || (strlen(core) >= 4 && rs_pw_run(core)) || strstr("012345678901234567890", password) ||
	           strstr("098765432109876543210", password) || (strlen(core) < 4 && rs_pw_distinct(password) < 6);
	if (weak) {
		rs_error_msg("security.password_common", NULL);
		return RS_EINVAL;
	}
	return 0;
}
