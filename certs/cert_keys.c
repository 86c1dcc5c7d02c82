/* certs: Ed25519 keys — thumbprints, JWK/JWKS, the key directory and the private keyring. */
#include "cert_keys.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "rs_encode.h"
#include "rs_error.h"

/* ---------- public keys ---------- */

void cert_thumbprint(char out[CERT_KID_MAX + 1], const unsigned char pub[CERT_PUB_LEN])
{
	char x[64], canon[128];
	unsigned char dg[SHA256_DIGEST_LENGTH];
	rs_b64url_encode(x, pub, CERT_PUB_LEN);
	/* RFC 7638 §3.2: required members only, lexicographic order, no whitespace. */
	int n = snprintf(canon, sizeof canon, "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"%s\"}", x);
	SHA256((const unsigned char *)canon, (size_t)n, dg);
	rs_b64url_encode(out, dg, sizeof dg);
}

/* Each thread keeps verification contexts for the last few public keys: with OpenSSL 3 the
 * context set-up (algorithm fetch, key import) costs a fifth of a verification, and a
 * verify API sees the same few issuer keys all day. Freed when the thread exits. */
#define CERT_VCACHE_N 4
struct cert_vcache {
	struct {
		unsigned char pub[CERT_PUB_LEN];
		EVP_PKEY *pk;
		EVP_MD_CTX *md;
	} e[CERT_VCACHE_N];
	unsigned next;
};
static pthread_key_t cert_vcache_key;
static pthread_once_t cert_vcache_once = PTHREAD_ONCE_INIT;

static void cert_vcache_free(void *p)
{
	struct cert_vcache *c = p;
	for (int i = 0; c && i < CERT_VCACHE_N; i++) {
		EVP_MD_CTX_free(c->e[i].md);
		EVP_PKEY_free(c->e[i].pk);
	}
	free(c);
}

static void cert_vcache_init(void)
{
	(void)pthread_key_create(&cert_vcache_key, cert_vcache_free);
}

/* A ready verification context for pub from this thread's cache, or NULL. */
static EVP_MD_CTX *cert_vcache_get(const unsigned char pub[CERT_PUB_LEN])
{
	pthread_once(&cert_vcache_once, cert_vcache_init);
	struct cert_vcache *c = pthread_getspecific(cert_vcache_key);
	if (!c) {
		c = calloc(1, sizeof *c);
		if (!c || pthread_setspecific(cert_vcache_key, c) != 0) {
			free(c);
			return NULL;
		}
	}
	for (int i = 0; i < CERT_VCACHE_N; i++)
		if (c->e[i].md && memcmp(c->e[i].pub, pub, CERT_PUB_LEN) == 0)
			return c->e[i].md;
	unsigned k = c->next++ % CERT_VCACHE_N;
	EVP_MD_CTX_free(c->e[k].md);
	EVP_PKEY_free(c->e[k].pk);
	c->e[k].md = NULL;
	c->e[k].pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, CERT_PUB_LEN);
	EVP_MD_CTX *md = c->e[k].pk ? EVP_MD_CTX_new() : NULL;
	if (!md || EVP_DigestVerifyInit(md, NULL, NULL, NULL, c->e[k].pk) != 1) {
		EVP_MD_CTX_free(md);
		return NULL;
	}
	memcpy(c->e[k].pub, pub, CERT_PUB_LEN);
	c->e[k].md = md;
	return md;
}

static int cert_ed25519_verify_fresh(const unsigned char pub[CERT_PUB_LEN], const unsigned char *msg, size_t len,
                                     const unsigned char sig[CERT_SIG_LEN])
{
	int rc = RS_ECRYPTO;
	EVP_MD_CTX *md = NULL;
	EVP_PKEY *pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, CERT_PUB_LEN);
	if (!pk)
		goto done;
	md = EVP_MD_CTX_new();
	if (!md || EVP_DigestVerifyInit(md, NULL, NULL, NULL, pk) != 1)
		goto done;
	if (EVP_DigestVerify(md, sig, CERT_SIG_LEN, msg, len) == 1)
		rc = 0;
done:
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pk);
	return rc;
}

int cert_ed25519_verify(const unsigned char pub[CERT_PUB_LEN], const unsigned char *msg,
                        size_t len, const unsigned char sig[CERT_SIG_LEN])
{
	EVP_MD_CTX *md = cert_vcache_get(pub);
	if (md && EVP_DigestVerify(md, sig, CERT_SIG_LEN, msg, len) == 1)
		return 0;
	/* A miss, or a mismatch: decide with a fresh context, so that the cache can never be
	 * the reason a genuine signature is refused. */
	if (cert_ed25519_verify_fresh(pub, msg, len, sig) == 0)
		return 0;
	rs_error_set("Ed25519 signature does not match");
	return RS_ECRYPTO;
}

static int cert_jwk_parse_one(struct cert_pubkey *out, json_t *k, size_t i)
{
	const char *kty = json_string_value(json_object_get(k, "kty"));
	const char *crv = json_string_value(json_object_get(k, "crv"));
	const char *x = json_string_value(json_object_get(k, "x"));
	const char *kid = json_string_value(json_object_get(k, "kid"));
	json_t *ret = json_object_get(k, "retired_at");
	size_t got = 0;
	char tp[CERT_KID_MAX + 1];

	if (!json_is_object(k) || !kty || !crv || !x || !kid) {
		rs_error_set("JWKS key %zu lacks one of kty, crv, x, kid", i);
		return RS_EPARSE;
	}
	if (strcmp(kty, "OKP") != 0 || strcmp(crv, "Ed25519") != 0) {
		rs_error_set("JWKS key %zu is not an Ed25519 OKP key", i);
		return RS_EPARSE;
	}
	if (strlen(x) != 43 || rs_b64url_decode(out->pub, CERT_PUB_LEN, &got, x, 43) != 0 ||
	    got != CERT_PUB_LEN) {
		rs_error_set("JWKS key %zu has an x that is not 32 base64url bytes", i);
		return RS_EPARSE;
	}
	cert_thumbprint(tp, out->pub);
	if (strcmp(tp, kid) != 0) {
		rs_error_set("JWKS key %zu: kid is not the key's RFC 7638 thumbprint", i);
		return RS_EPARSE;
	}
	memcpy(out->kid, tp, sizeof tp);
	out->retired_at = 0;
	if (ret && !json_is_null(ret)) {
		if (!json_is_integer(ret) || json_integer_value(ret) <= 0) {
			rs_error_set("JWKS key %zu: retired_at is not a positive integer", i);
			return RS_EPARSE;
		}
		out->retired_at = json_integer_value(ret);
	}
	return 0;
}

int cert_jwks_parse(struct cert_jwks *out, const char *text, size_t len)
{
	int rc = RS_EPARSE;
	json_error_t jerr;
	json_t *doc = NULL, *keys;
	size_t i;

	if (len > CERT_JWKS_MAX) {
		rs_error_set("JWKS is %zu bytes, more than the %d allowed", len, CERT_JWKS_MAX);
		return RS_ETOOBIG;
	}
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		rs_error_set("JWKS is not JSON: %s (line %d)", jerr.text, jerr.line);
		goto done;
	}
	keys = json_object_get(doc, "keys");
	if (!json_is_array(keys)) {
		rs_error_set("JWKS has no \"keys\" array");
		goto done;
	}
	if (json_array_size(keys) > CERT_JWKS_KEYS_MAX) {
		rs_error_set("JWKS lists %zu keys, more than the %d allowed", json_array_size(keys),
		             CERT_JWKS_KEYS_MAX);
		rc = RS_ETOOBIG;
		goto done;
	}
	out->n = 0;
	for (i = 0; i < json_array_size(keys); i++) {
		rc = cert_jwk_parse_one(&out->keys[out->n], json_array_get(keys, i), i);
		if (rc != 0)
			goto done;
		out->n++;
	}
	rc = 0;
done:
	json_decref(doc);
	return rc;
}

int cert_jwks_load(struct cert_jwks *out, const char *path)
{
	char *buf = malloc(CERT_JWKS_MAX + 1);
	int rc;
	FILE *f;
	size_t n;
	if (!buf)
		return RS_ENOMEM;
	f = fopen(path, "rb");
	if (!f) {
		rs_error_set("cannot open JWKS '%s': %s", path, strerror(errno));
		free(buf);
		return RS_EIO;
	}
	n = fread(buf, 1, CERT_JWKS_MAX + 1, f);
	fclose(f);
	rc = cert_jwks_parse(out, buf, n);
	free(buf);
	return rc;
}

const struct cert_pubkey *cert_jwks_find(const struct cert_jwks *jwks, const char *kid)
{
	for (size_t i = 0; i < jwks->n; i++)
		if (strcmp(jwks->keys[i].kid, kid) == 0)
			return &jwks->keys[i];
	return NULL;
}

json_t *cert_jwk_json(const struct cert_pubkey *key)
{
	char x[64];
	rs_b64url_encode(x, key->pub, CERT_PUB_LEN);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "OKP", "crv", "Ed25519",
	                      "x", x, "kid", key->kid, "alg", "EdDSA", "use", "sig");
	if (o && key->retired_at)
		json_object_set_new(o, "retired_at", json_integer(key->retired_at));
	return o;
}

/* ---------- times ---------- */

void cert_time_format(char out[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int cert_time_parse(int64_t *out, const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
	if (!end || *end) {
		rs_error_set("'%s' is not an RFC 3339 UTC time like 2026-04-01T00:00:00Z", s ? s : "");
		return RS_EPARSE;
	}
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* ---------- key directory ---------- */

#define CERT_KEYS_JSON_MAX (1 << 20)

static int cert_keydir_path(char *out, size_t cap, const char *dir, const char *name)
{
	if ((size_t)snprintf(out, cap, "%s/%s", dir, name) >= cap) {
		rs_error_set("path '%s/%s' is too long", dir, name);
		return RS_ETOOBIG;
	}
	return 0;
}

static int cert_keyinfo_time(int64_t *out, json_t *v, const char *what, size_t i)
{
	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v) || cert_time_parse(out, json_string_value(v)) != 0) {
		rs_error_set("keys.json key %zu: %s is not an RFC 3339 UTC time", i, what);
		return RS_EPARSE;
	}
	return 0;
}

static int cert_keydir_parse(struct cert_keydir *kd, json_t *doc)
{
	json_t *keys = json_object_get(doc, "keys");
	size_t i, n;
	if (!json_is_array(keys)) {
		rs_error_set("keys.json has no \"keys\" array");
		return RS_EPARSE;
	}
	n = json_array_size(keys);
	if (n > 4096) {
		rs_error_set("keys.json lists %zu keys, more than 4096", n);
		return RS_ETOOBIG;
	}
	kd->keys = calloc(n ? n : 1, sizeof *kd->keys);
	if (!kd->keys)
		return RS_ENOMEM;
	for (i = 0; i < n; i++) {
		json_t *k = json_array_get(keys, i);
		struct cert_keyinfo *ki = &kd->keys[i];
		const char *kid = json_string_value(json_object_get(k, "kid"));
		const char *state = json_string_value(json_object_get(k, "state"));
		const char *x = json_string_value(json_object_get(k, "x"));
		size_t got = 0;
		char tp[CERT_KID_MAX + 1];
		int rc;
		if (!kid || !state || !x) {
			rs_error_set("keys.json key %zu lacks kid, state or x", i);
			return RS_EPARSE;
		}
		if (strcmp(state, "active") == 0)
			ki->state = CERT_KEY_ACTIVE;
		else if (strcmp(state, "retired") == 0)
			ki->state = CERT_KEY_RETIRED;
		else {
			rs_error_set("keys.json key %zu: state '%s' is neither active nor retired", i, state);
			return RS_EPARSE;
		}
		if (strlen(x) != 43 || rs_b64url_decode(ki->pub, CERT_PUB_LEN, &got, x, 43) != 0 ||
		    got != CERT_PUB_LEN) {
			rs_error_set("keys.json key %zu: x is not a 32-byte base64url key", i);
			return RS_EPARSE;
		}
		cert_thumbprint(tp, ki->pub);
		if (strcmp(tp, kid) != 0) {
			rs_error_set("keys.json key %zu: kid '%s' is not the thumbprint of x", i, kid);
			return RS_EPARSE;
		}
		memcpy(ki->kid, tp, sizeof tp);
		if ((rc = cert_keyinfo_time(&ki->created, json_object_get(k, "created"), "created", i)) ||
		    (rc = cert_keyinfo_time(&ki->retired_at, json_object_get(k, "retired_at"), "retired_at", i)) ||
		    (rc = cert_keyinfo_time(&ki->not_after, json_object_get(k, "not_after"), "not_after", i)))
			return rc;
		if (ki->state == CERT_KEY_RETIRED && ki->retired_at == 0) {
			rs_error_set("keys.json key %zu is retired without retired_at", i);
			return RS_EPARSE;
		}
		kd->n++;
	}
	return 0;
}

int cert_keydir_load(struct cert_keydir *out, const char *dir)
{
	struct cert_keydir kd = { 0 };
	char path[4096];
	json_error_t jerr;
	json_t *doc = NULL;
	int rc;
	struct stat st;

	if (stat(dir, &st) != 0) {
		if (errno != ENOENT || mkdir(dir, 0700) != 0) {
			rs_error_set("cannot create key directory '%s': %s", dir, strerror(errno));
			return RS_EIO;
		}
	} else if (!S_ISDIR(st.st_mode)) {
		rs_error_set("'%s' is not a directory", dir);
		return RS_EIO;
	}
	if ((rc = cert_keydir_path(path, sizeof path, dir, "keys.json")) != 0)
		return rc;
	kd.dir = strdup(dir);
	if (!kd.dir)
		return RS_ENOMEM;
	if (access(path, F_OK) != 0) {
		kd.keys = calloc(1, sizeof *kd.keys);
		if (!kd.keys) {
			rc = RS_ENOMEM;
			goto done;
		}
		*out = kd;
		return 0;
	}
	if (stat(path, &st) == 0 && st.st_size > CERT_KEYS_JSON_MAX) {
		rs_error_set("'%s' is larger than %d bytes", path, CERT_KEYS_JSON_MAX);
		rc = RS_ETOOBIG;
		goto done;
	}
	doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		rs_error_set("cannot read '%s': %s (line %d)", path, jerr.text, jerr.line);
		rc = RS_EPARSE;
		goto done;
	}
	rc = cert_keydir_parse(&kd, doc);
	if (rc == 0) {
		*out = kd;
		kd.dir = NULL;
		kd.keys = NULL;
	}
done:
	json_decref(doc);
	cert_keydir_free(&kd);
	return rc;
}

void cert_keydir_free(struct cert_keydir *kd)
{
	if (!kd)
		return;
	free(kd->dir);
	free(kd->keys);
	kd->dir = NULL;
	kd->keys = NULL;
	kd->n = 0;
}

struct cert_keyinfo *cert_keydir_find(struct cert_keydir *kd, const char *kid)
{
	for (size_t i = 0; i < kd->n; i++)
		if (strcmp(kd->keys[i].kid, kid) == 0)
			return &kd->keys[i];
	return NULL;
}

const struct cert_keyinfo *cert_keydir_current(const struct cert_keydir *kd)
{
	for (size_t i = kd->n; i > 0; i--)
		if (kd->keys[i - 1].state == CERT_KEY_ACTIVE)
			return &kd->keys[i - 1];
	return NULL;
}

static json_t *cert_json_time(int64_t t)
{
	char buf[32];
	if (!t)
		return json_null();
	cert_time_format(buf, t);
	return json_string(buf);
}

static int cert_write_atomic(const char *dir, const char *name, json_t *doc, mode_t mode)
{
	char path[4096], tmp[4200];
	int rc = cert_keydir_path(path, sizeof path, dir, name);
	int fd;
	char *text = NULL;
	if (rc)
		return rc;
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (!text)
		return RS_ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		rs_error_set("cannot write '%s': %s", tmp, strerror(errno));
		rc = RS_EIO;
		goto done;
	}
	size_t len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
		rs_error_set("cannot write '%s': %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		rc = RS_EIO;
		goto done;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		rs_error_set("cannot rename '%s': %s", tmp, strerror(errno));
		unlink(tmp);
		rc = RS_EIO;
	}
done:
	free(text);
	return rc;
}

json_t *cert_keydir_jwks(const struct cert_keydir *kd, int64_t now)
{
	json_t *keys = json_array(), *doc;
	for (size_t i = 0; keys && i < kd->n; i++) {
		const struct cert_keyinfo *ki = &kd->keys[i];
		if (ki->state == CERT_KEY_RETIRED && ki->not_after && ki->not_after <= now)
			continue;
		struct cert_pubkey pk;
		memcpy(pk.kid, ki->kid, sizeof pk.kid);
		memcpy(pk.pub, ki->pub, CERT_PUB_LEN);
		pk.retired_at = ki->state == CERT_KEY_RETIRED ? ki->retired_at : 0;
		json_array_append_new(keys, cert_jwk_json(&pk));
	}
	doc = json_object();
	if (!doc || !keys) {
		json_decref(doc);
		json_decref(keys);
		return NULL;
	}
	json_object_set_new(doc, "keys", keys);
	return doc;
}

int cert_keydir_save(const struct cert_keydir *kd, int64_t now)
{
	json_t *doc = json_object(), *keys = json_array(), *jwks = NULL;
	int rc = RS_ENOMEM;
	if (!doc || !keys)
		goto done;
	json_object_set_new(doc, "version", json_integer(1));
	for (size_t i = 0; i < kd->n; i++) {
		const struct cert_keyinfo *ki = &kd->keys[i];
		char x[64];
		rs_b64url_encode(x, ki->pub, CERT_PUB_LEN);
		json_t *k = json_object();
		json_object_set_new(k, "kid", json_string(ki->kid));
		json_object_set_new(k, "state", json_string(ki->state == CERT_KEY_ACTIVE ? "active" : "retired"));
		json_object_set_new(k, "created", cert_json_time(ki->created));
		json_object_set_new(k, "retired_at", cert_json_time(ki->retired_at));
		json_object_set_new(k, "not_after", cert_json_time(ki->not_after));
		json_object_set_new(k, "x", json_string(x));
		json_array_append_new(keys, k);
	}
	json_object_set(doc, "keys", keys);
	if ((rc = cert_write_atomic(kd->dir, "keys.json", doc, 0644)) != 0)
		goto done;
	jwks = cert_keydir_jwks(kd, now);
	if (!jwks) {
		rc = RS_ENOMEM;
		goto done;
	}
	rc = cert_write_atomic(kd->dir, "jwks.json", jwks, 0644);
done:
	json_decref(doc);
	json_decref(keys);
	json_decref(jwks);
	return rc;
}

/* Write pkey's PKCS#8 PEM to path, created 0600 and never overwriting. */
static int cert_pem_write(const char *path, EVP_PKEY *pk)
{
	BIO *mem = BIO_new(BIO_s_mem());
	char *data;
	long len;
	int fd = -1, rc = RS_EIO;
	if (!mem || PEM_write_bio_PrivateKey(mem, pk, NULL, NULL, 0, NULL, NULL) != 1) {
		rs_error_set("cannot encode the private key as PKCS#8 PEM");
		rc = RS_ECRYPTO;
		goto done;
	}
	len = BIO_get_mem_data(mem, &data);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rs_error_set("cannot create '%s': %s", path, strerror(errno));
		goto done;
	}
	/* The umask cannot widen 0600, but fchmod guards against an odd umask narrowing it. */
	if (fchmod(fd, 0600) != 0 || write(fd, data, (size_t)len) != len || fsync(fd) != 0) {
		rs_error_set("cannot write '%s': %s", path, strerror(errno));
		close(fd);
		unlink(path);
		fd = -1;
		goto done;
	}
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	BIO_free(mem);
	return rc;
}

/* Take the directory's write lock and re-read keys.json under it, so two `riss keys`
 * commands never lose each other's change. Returns the lock fd (>= 0) or an RS_E* code. */
static int cert_keydir_lock(struct cert_keydir *kd)
{
	char path[4096];
	struct cert_keydir fresh = { 0 };
	int rc, fd;
	if ((rc = cert_keydir_path(path, sizeof path, kd->dir, ".lock")) != 0)
		return rc;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		rs_error_set("cannot lock '%s': %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return RS_EIO;
	}
	if ((rc = cert_keydir_load(&fresh, kd->dir)) != 0) {
		close(fd);
		return rc;
	}
	free(kd->keys);
	kd->keys = fresh.keys;
	kd->n = fresh.n;
	free(fresh.dir);
	return fd;
}

static void cert_keydir_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing the descriptor releases the flock */
}

static int cert_keydir_new_locked(char out_kid[CERT_KID_MAX + 1], struct cert_keydir *kd, int64_t now)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	struct cert_keyinfo ki;
	struct cert_keyinfo *grown;
	char path[4096], name[CERT_KID_MAX + 8];
	size_t publen = CERT_PUB_LEN;
	int rc = RS_ECRYPTO;

	memset(&ki, 0, sizeof ki);
	if (!pk || EVP_PKEY_get_raw_public_key(pk, ki.pub, &publen) != 1 || publen != CERT_PUB_LEN) {
		rs_error_set("Ed25519 key generation failed");
		goto done;
	}
	cert_thumbprint(ki.kid, ki.pub);
	ki.state = CERT_KEY_ACTIVE;
	ki.created = now;
	snprintf(name, sizeof name, "%s.pem", ki.kid);
	if ((rc = cert_keydir_path(path, sizeof path, kd->dir, name)) != 0 ||
	    (rc = cert_pem_write(path, pk)) != 0)
		goto done;
	grown = realloc(kd->keys, (kd->n + 1) * sizeof *kd->keys);
	if (!grown) {
		rc = RS_ENOMEM;
		goto done;
	}
	kd->keys = grown;
	kd->keys[kd->n++] = ki;
	if ((rc = cert_keydir_save(kd, now)) != 0)
		goto done;
	memcpy(out_kid, ki.kid, sizeof ki.kid);
done:
	EVP_PKEY_free(pk);
	return rc;
}

static int cert_keydir_retire_locked(struct cert_keydir *kd, const char *kid, int64_t now, int64_t publish_s)
{
	struct cert_keyinfo *ki = cert_keydir_find(kd, kid);
	if (!ki) {
		rs_error_set("no key '%s' in %s", kid, kd->dir);
		return RS_ENOTFOUND;
	}
	if (ki->state == CERT_KEY_RETIRED) {
		rs_error_set("key '%s' is already retired", kid);
		return RS_ESTATE;
	}
	ki->state = CERT_KEY_RETIRED;
	ki->retired_at = now;
	ki->not_after = now + publish_s;
	return cert_keydir_save(kd, now);
}

static int cert_keydir_rotate_locked(char out_kid[CERT_KID_MAX + 1], struct cert_keydir *kd, int64_t now,
                                     int64_t publish_s)
{
	size_t old_n = kd->n;
	int rc = cert_keydir_new_locked(out_kid, kd, now);
	if (rc)
		return rc;
	for (size_t i = 0; i < old_n; i++) {
		if (kd->keys[i].state != CERT_KEY_ACTIVE)
			continue;
		kd->keys[i].state = CERT_KEY_RETIRED;
		kd->keys[i].retired_at = now;
		kd->keys[i].not_after = now + publish_s;
	}
	return cert_keydir_save(kd, now);
}

int cert_keydir_new(char out_kid[CERT_KID_MAX + 1], struct cert_keydir *kd, int64_t now)
{
	int fd = cert_keydir_lock(kd), rc;
	if (fd < 0)
		return fd;
	rc = cert_keydir_new_locked(out_kid, kd, now);
	cert_keydir_unlock(fd);
	return rc;
}

int cert_keydir_retire(struct cert_keydir *kd, const char *kid, int64_t now, int64_t publish_s)
{
	int fd = cert_keydir_lock(kd), rc;
	if (fd < 0)
		return fd;
	rc = cert_keydir_retire_locked(kd, kid, now, publish_s);
	cert_keydir_unlock(fd);
	return rc;
}

int cert_keydir_rotate(char out_kid[CERT_KID_MAX + 1], struct cert_keydir *kd, int64_t now,
                       int64_t publish_s)
{
	int fd = cert_keydir_lock(kd), rc;
	if (fd < 0)
		return fd;
	rc = cert_keydir_rotate_locked(out_kid, kd, now, publish_s);
	cert_keydir_unlock(fd);
	return rc;
}

/* ---------- keyring ---------- */

struct cert_keyring_entry {
	char kid[CERT_KID_MAX + 1];
	enum cert_key_state state;
	EVP_PKEY *pk;
};

struct cert_keyring {
	struct cert_keyring_entry *e;
	size_t n;
};

static int cert_pem_load(EVP_PKEY **out, const char *path, const char *kid)
{
	struct stat st;
	BIO *b = NULL;
	EVP_PKEY *pk = NULL;
	unsigned char pub[CERT_PUB_LEN];
	size_t publen = sizeof pub;
	char tp[CERT_KID_MAX + 1];
	int rc = RS_ECRYPTO;

	if (stat(path, &st) != 0) {
		rs_error_set("cannot read private key '%s': %s", path, strerror(errno));
		return RS_EIO;
	}
	if (st.st_mode & 077) {
		rs_error_set("private key '%s' is readable by group or others (mode %03o): refused",
		             path, (unsigned)(st.st_mode & 0777));
		return RS_EPERM;
	}
	b = BIO_new_file(path, "r");
	if (!b) {
		rs_error_set("cannot open private key '%s'", path);
		return RS_EIO;
	}
	pk = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	if (!pk || EVP_PKEY_get_base_id(pk) != EVP_PKEY_ED25519 ||
	    EVP_PKEY_get_raw_public_key(pk, pub, &publen) != 1) {
		rs_error_set("'%s' is not a PKCS#8 Ed25519 private key", path);
		goto done;
	}
	cert_thumbprint(tp, pub);
	if (strcmp(tp, kid) != 0) {
		rs_error_set("private key '%s' does not belong to kid '%s'", path, kid);
		goto done;
	}
	*out = pk;
	pk = NULL;
	rc = 0;
done:
	EVP_PKEY_free(pk);
	BIO_free(b);
	return rc;
}

int cert_keyring_load(struct cert_keyring **out, const char *dir)
{
	struct cert_keydir kd = { 0 };
	struct cert_keyring *kr = NULL;
	int rc = cert_keydir_load(&kd, dir);
	if (rc)
		return rc;
	kr = calloc(1, sizeof *kr);
	if (!kr || !(kr->e = calloc(kd.n ? kd.n : 1, sizeof *kr->e))) {
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < kd.n; i++) {
		char path[4096], name[CERT_KID_MAX + 8];
		struct cert_keyring_entry *e = &kr->e[kr->n];
		snprintf(name, sizeof name, "%s.pem", kd.keys[i].kid);
		if ((rc = cert_keydir_path(path, sizeof path, dir, name)) != 0 ||
		    (rc = cert_pem_load(&e->pk, path, kd.keys[i].kid)) != 0)
			goto done;
		memcpy(e->kid, kd.keys[i].kid, sizeof e->kid);
		e->state = kd.keys[i].state;
		kr->n++;
	}
	*out = kr;
	kr = NULL;
done:
	cert_keyring_free(kr);
	cert_keydir_free(&kd);
	return rc;
}

void cert_keyring_free(struct cert_keyring *kr)
{
	if (!kr)
		return;
	for (size_t i = 0; i < kr->n; i++)
		EVP_PKEY_free(kr->e[i].pk);
	free(kr->e);
	free(kr);
}

size_t cert_keyring_count(const struct cert_keyring *kr)
{
	return kr ? kr->n : 0;
}

#define CERT_SCACHE_N 4
struct cert_scache {
	struct {
		char kid[CERT_KID_MAX + 1];
		EVP_PKEY *pk; /* a reference of our own: stays valid after a key reload */
		EVP_MD_CTX *md;
	} e[CERT_SCACHE_N];
	unsigned next;
};
static pthread_key_t cert_scache_key;
static pthread_once_t cert_scache_once = PTHREAD_ONCE_INIT;

static void cert_scache_free(void *p)
{
	struct cert_scache *c = p;
	for (int i = 0; c && i < CERT_SCACHE_N; i++) {
		EVP_MD_CTX_free(c->e[i].md);
		EVP_PKEY_free(c->e[i].pk);
	}
	free(c);
}

static void cert_scache_init(void)
{
	(void)pthread_key_create(&cert_scache_key, cert_scache_free);
}

/* This thread's signing context for (kid, pk), or NULL. A kid names one key (its
 * thumbprint), and the entry is only used while pk is the very key loaded now. */
static EVP_MD_CTX *cert_scache_get(const char *kid, EVP_PKEY *pk)
{
	pthread_once(&cert_scache_once, cert_scache_init);
	struct cert_scache *c = pthread_getspecific(cert_scache_key);
	if (!c) {
		c = calloc(1, sizeof *c);
		if (!c || pthread_setspecific(cert_scache_key, c) != 0) {
			free(c);
			return NULL;
		}
	}
	for (int i = 0; i < CERT_SCACHE_N; i++)
		if (c->e[i].md && c->e[i].pk == pk && strcmp(c->e[i].kid, kid) == 0)
			return c->e[i].md;
	unsigned k = c->next++ % CERT_SCACHE_N;
	EVP_MD_CTX_free(c->e[k].md);
	EVP_PKEY_free(c->e[k].pk);
	c->e[k].md = NULL;
	c->e[k].pk = NULL;
	if (EVP_PKEY_up_ref(pk) != 1)
		return NULL;
	c->e[k].pk = pk;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || EVP_DigestSignInit(md, NULL, NULL, NULL, pk) != 1) {
		EVP_MD_CTX_free(md);
		return NULL;
	}
	snprintf(c->e[k].kid, sizeof c->e[k].kid, "%s", kid);
	c->e[k].md = md;
	return md;
}

/* The entry of kid when it may sign; NULL with RS_ENOTFOUND / RS_ESTATE in *rc. */
static const struct cert_keyring_entry *cert_keyring_active(const struct cert_keyring *kr, const char *kid, int *rc)
{
	const struct cert_keyring_entry *e = NULL;
	for (size_t i = 0; i < kr->n && !e; i++)
		if (strcmp(kr->e[i].kid, kid) == 0)
			e = &kr->e[i];
	if (!e) {
		rs_error_set("unknown kid '%.64s'", kid);
		*rc = RS_ENOTFOUND;
		return NULL;
	}
	if (e->state != CERT_KEY_ACTIVE) {
		rs_error_set("key '%s' is retired and signs nothing", kid);
		*rc = RS_ESTATE;
		return NULL;
	}
	*rc = 0;
	return e;
}

int cert_keyring_usable(const struct cert_keyring *kr, const char *kid)
{
	int rc;
	cert_keyring_active(kr, kid, &rc);
	return rc;
}

int cert_keyring_sign(const struct cert_keyring *kr, unsigned char out_sig[CERT_SIG_LEN],
                      const char *kid, const unsigned char *msg, size_t len)
{
	EVP_MD_CTX *md;
	size_t siglen = CERT_SIG_LEN;
	int rc = RS_ECRYPTO;
	const struct cert_keyring_entry *e = cert_keyring_active(kr, kid, &rc);
	if (!e)
		return rc;
	rc = RS_ECRYPTO;
	/* A signing context per thread and key, kept (with a reference on the key) across
	 * calls: OpenSSL 3's per-call set-up is a fifth of an Ed25519 signature. */
	md = cert_scache_get(e->kid, e->pk);
	if (md && EVP_DigestSign(md, out_sig, &siglen, msg, len) == 1 && siglen == CERT_SIG_LEN)
		return 0;
	siglen = CERT_SIG_LEN;
	md = EVP_MD_CTX_new();
	if (md && EVP_DigestSignInit(md, NULL, NULL, NULL, e->pk) == 1 &&
	    EVP_DigestSign(md, out_sig, &siglen, msg, len) == 1 && siglen == CERT_SIG_LEN)
		rc = 0;
	else
		rs_error_set("Ed25519 signing failed");
	EVP_MD_CTX_free(md);
	return rc;
}

static int cert_keyring_sign_cb(void *ctx, unsigned char out_sig[CERT_SIG_LEN], const char *kid,
                                const unsigned char *msg, size_t len)
{
	return cert_keyring_sign(ctx, out_sig, kid, msg, len);
}

struct cert_signer cert_keyring_signer(struct cert_keyring *kr)
{
	struct cert_signer s = { .sign = cert_keyring_sign_cb, .ctx = kr };
	return s;
}

int cert_sign_many(const struct cert_signer *s, unsigned char (*out_sigs)[CERT_SIG_LEN], const char *kid,
                   const unsigned char *const *msgs, const size_t *lens, size_t n)
{
	if (s->sign_many)
		return s->sign_many(s->ctx, out_sigs, kid, msgs, lens, n);
	for (size_t i = 0; i < n; i++) {
		int rc = s->sign(s->ctx, out_sigs[i], kid, msgs[i], lens[i]);
		if (rc != 0)
			return rc;
	}
	return 0;
}
