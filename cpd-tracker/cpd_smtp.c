/* cpd-tracker: hand a reminder to an SMTP server with libcurl (STARTTLS when offered). The
 * message is plain UTF-8 text, base64-encoded, with an RFC 2047 subject. */
#include "cpd_renewal.h"

#include "rs_config.h"
#include "rs_error.h"
#include "rs_util.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_once_t cpd_curl_once = PTHREAD_ONCE_INIT;

static void cpd_curl_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct cpd_smtp_buf {
	char *data;
	size_t len, pos;
};

static size_t cpd_smtp_read(char *ptr, size_t size, size_t nmemb, void *userp)
{
	struct cpd_smtp_buf *b = userp;
	size_t room = size * nmemb, left = b->len - b->pos;
	size_t n = left < room ? left : room;
	memcpy(ptr, b->data + b->pos, n);
	b->pos += n;
	return n;
}

/* Standard base64 of n bytes into a new string, lines of at most 76 characters ending in
 * CRLF when wrap. */
static char *cpd_b64(const char *in, size_t n, int wrap)
{
	size_t enc = 4 * ((n + 2) / 3);
	char *flat = malloc(enc + 1);
	char *out = malloc(enc + 2 * (enc / 76 + 2) + 1);
	if (!flat || !out) {
		free(flat);
		free(out);
		return NULL;
	}
	EVP_EncodeBlock((unsigned char *)flat, (const unsigned char *)in, (int)n);
	size_t k = 0;
	for (size_t i = 0; i < enc; i += 76) {
		size_t m = enc - i < 76 ? enc - i : 76;
		memcpy(out + k, flat + i, m);
		k += m;
		if (wrap) {
			out[k++] = '\r';
			out[k++] = '\n';
		}
	}
	out[k] = '\0';
	free(flat);
	return out;
}

/* True when an address is safe in a header and an SMTP command. */
static int cpd_addr_ok(const char *a)
{
	if (!a || !a[0] || strlen(a) > 254 || !strchr(a, '@'))
		return 0;
	for (const char *c = a; *c; c++)
		if ((unsigned char)*c <= ' ' || *c == '<' || *c == '>' || *c == 0x7f || *c == ',')
			return 0;
	return 1;
}

static char *cpd_smtp_message(const struct cpd_smtp *s, const char *to, const char *subject, const char *body)
{
	char *subj = cpd_b64(subject, strlen(subject), 0);
	char *text = cpd_b64(body, strlen(body), 1);
	char date[64], id[40];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
	unsigned char rnd[12];
	if (rs_random_bytes(rnd, sizeof rnd) != 0)
		memset(rnd, 0, sizeof rnd);
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(id + 2 * i, 3, "%02x", rnd[i]);
	const char *dom = strchr(s->from, '@');
	char *msg = NULL;
	if (subj && text) {
		size_t cap = strlen(subj) + strlen(text) + strlen(to) + 2 * strlen(s->from) + 512;
		msg = malloc(cap);
		if (msg)
			snprintf(msg, cap,
			         "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: =?UTF-8?B?%s?=\r\nMessage-ID: <%s%s>\r\n"
			         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
			         "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n\r\n%s",
			         date, s->from, to, subj, id, dom ? dom : "@riss.invalid", text);
	}
	free(subj);
	free(text);
	return msg;
}

int cpd_smtp_send(const struct cpd_smtp *s, const char *to, const char *subject, const char *body)
{
	if (!s || !s->host || !s->host[0]) {
		rs_error_set("no SMTP server configured (smtp_host)");
		return RS_EUNAVAIL;
	}
	if (!cpd_addr_ok(to) || !cpd_addr_ok(s->from)) {
		rs_error_set("not a usable e-mail address");
		return RS_EINVAL;
	}
	pthread_once(&cpd_curl_once, cpd_curl_init);
	struct cpd_smtp_buf buf = { .data = cpd_smtp_message(s, to, subject, body) };
	if (!buf.data) {
		rs_error_set("out of memory building a message");
		return RS_ENOMEM;
	}
	buf.len = strlen(buf.data);
	CURL *c = curl_easy_init();
	if (!c) {
		free(buf.data);
		rs_error_set("libcurl could not start");
		return RS_ENOMEM;
	}
	char url[400], from[300], rcpt[300], err[CURL_ERROR_SIZE] = "";
	snprintf(url, sizeof url, "smtp://%s:%d", s->host, s->port > 0 ? s->port : 25);
	snprintf(from, sizeof from, "<%s>", s->from);
	snprintf(rcpt, sizeof rcpt, "<%s>", to);
	struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	if (s->ca_file && s->ca_file[0])
		curl_easy_setopt(c, CURLOPT_CAINFO, s->ca_file);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, cpd_smtp_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &buf);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)(s->timeout_s > 0 ? s->timeout_s : 10));
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)(s->timeout_s > 0 ? 3 * s->timeout_s : 30));
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	CURLcode cc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	int rc = 0;
	if (cc != CURLE_OK) {
		rs_error_set("SMTP %s: %s (server code %ld)", url, err[0] ? err : curl_easy_strerror(cc), code);
		rc = cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_HOST || cc == CURLE_OPERATION_TIMEDOUT
			? RS_EUNAVAIL : RS_EIO;
	} else {
		rs_error_set("accepted by %s (code %ld)", url, code);
	}
	curl_slist_free_all(rcpts);
	curl_easy_cleanup(c);
	free(buf.data);
	return rc;
}

void cpd_smtp_from_config(struct cpd_smtp *out)
{
	out->host = rs_config_str("smtp_host");
	out->port = (int)rs_config_int("smtp_port");
	out->from = rs_config_str("smtp_from");
	out->ca_file = rs_config_str("smtp_ca_file");
	out->timeout_s = (int)rs_config_int("smtp_timeout");
	out->site_url = rs_config_str("public_base_url");
}
