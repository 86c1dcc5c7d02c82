/* Secrets sealed at rest: AES-256-GCM (OpenSSL 3 EVP) under the key file's key (rs_seal.h). */
#include "rs_seal.h"

#include "rs_config.h"
#include "rs_encode.h"
#include "rs_msg.h"
#include "rs_password.h"
#include "rs_error.h"
#include "rs_util.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RS_SEAL_NONCE 12
#define RS_SEAL_TAG 16
#define RS_SEAL_BLOB_MAX (RS_SEAL_NONCE + RS_SEAL_PLAIN_MAX + RS_SEAL_TAG)

struct rs_seal_key {
	char id[9];
	unsigned char key[RS_SEAL_KEY_LEN];
};

/* keys[0] seals; the others open only: the key file's key while path.next exists, and keys
 * loaded earlier by this process (kept until it ends, so rows sealed by a process that had
 * not yet seen a rotation still open here). seen: the files' identity at the last load. */
#define RS_SEAL_RING 4
static struct {
	pthread_mutex_t mu;
	char path[4096];
	struct rs_seal_key keys[RS_SEAL_RING];
	int n;
	struct timespec seen[2];
	ino_t seen_ino[2];
} rs_seal_ring = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void rs_seal_id_of(char out[9], const unsigned char key[RS_SEAL_KEY_LEN])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) && EVP_DigestUpdate(c, "riss-seal-key", 13) &&
	    EVP_DigestUpdate(c, key, RS_SEAL_KEY_LEN) && EVP_DigestFinal_ex(c, md, &mdlen))
		rs_hex_encode(out, md, 4);
	else
		snprintf(out, 9, "00000000");
	EVP_MD_CTX_free(c);
	out[8] = '\0';
}

/* Read one key file; missing = RS_ENOTFOUND (no message when quiet_missing). */
static int rs_seal_read_key(struct rs_seal_key *k, const char *path, int quiet_missing)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && quiet_missing)
			return RS_ENOTFOUND;
		rs_error_msg("sec3.key_missing", path, NULL);
		return RS_EINVAL;
	}
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != RS_SEAL_KEY_LEN) {
		rs_error_msg("sec3.key_size", path, NULL);
		rc = RS_EINVAL;
	} else if ((st.st_mode & 077) != 0 || (st.st_uid != geteuid() && geteuid() != 0)) {
		/* root (an operator's riss db migrate) may use the service user's file */
		rs_error_msg("sec3.key_mode", path, NULL);
		rc = RS_EINVAL;
	} else if (read(fd, k->key, RS_SEAL_KEY_LEN) != RS_SEAL_KEY_LEN) {
		rs_error_msg("sec3.key_size", path, NULL);
		rc = RS_EINVAL;
	}
	close(fd);
	if (rc == 0)
		rs_seal_id_of(k->id, k->key);
	else
		OPENSSL_cleanse(k, sizeof *k);
	return rc;
}

/* The identity (inode, change time) of path and path.next, zero when missing. */
static void rs_seal_stat(const char *path, struct timespec seen[2], ino_t ino[2])
{
	char npath[4200];
	snprintf(npath, sizeof npath, "%s.next", path);
	const char *p[2] = { path, npath };
	for (int i = 0; i < 2; i++) {
		struct stat st;
		memset(&seen[i], 0, sizeof seen[i]);
		ino[i] = 0;
		if (stat(p[i], &st) == 0) {
			seen[i] = st.st_ctim;
			ino[i] = st.st_ino;
		}
	}
}

/* Load path and path.next into the ring; the caller holds the lock. */
static int rs_seal_load_locked(const char *path)
{
	if (!path || !path[0]) {
		rs_error_msg("sec3.key_unset", NULL);
		return RS_EINVAL;
	}
	struct rs_seal_key cur, next;
	char npath[4200];
	snprintf(npath, sizeof npath, "%s.next", path);
	int rc = rs_seal_read_key(&cur, path, 0);
	if (rc != 0)
		return rc;
	int rn = rs_seal_read_key(&next, npath, 1);
	if (rn != 0 && rn != RS_ENOTFOUND) {
		OPENSSL_cleanse(&cur, sizeof cur);
		return rn;
	}
	struct rs_seal_key ring[RS_SEAL_RING + 2];
	int n = 0;
	if (rn == 0)
		ring[n++] = next;
	ring[n++] = cur;
	if (strcmp(path, rs_seal_ring.path) == 0) /* a reload keeps the keys known so far */
		for (int i = 0; i < rs_seal_ring.n && n < RS_SEAL_RING; i++) {
			int dup = 0;
			for (int j = 0; j < n; j++)
				dup |= strcmp(ring[j].id, rs_seal_ring.keys[i].id) == 0;
			if (!dup)
				ring[n++] = rs_seal_ring.keys[i];
		}
	OPENSSL_cleanse(rs_seal_ring.keys, sizeof rs_seal_ring.keys);
	memcpy(rs_seal_ring.keys, ring, sizeof rs_seal_ring.keys[0] * (size_t)n);
	rs_seal_ring.n = n;
	OPENSSL_cleanse(ring, sizeof ring);
	rs_seal_stat(path, rs_seal_ring.seen, rs_seal_ring.seen_ino);
	if (path != rs_seal_ring.path)
		snprintf(rs_seal_ring.path, sizeof rs_seal_ring.path, "%s", path);
	OPENSSL_cleanse(&cur, sizeof cur);
	OPENSSL_cleanse(&next, sizeof next);
	return 0;
}

int rs_seal_keys_load(const char *path)
{
	pthread_mutex_lock(&rs_seal_ring.mu);
	int rc = rs_seal_load_locked(path);
	pthread_mutex_unlock(&rs_seal_ring.mu);
	return rc;
}

void rs_seal_say_refusal(const char *prog)
{
	for (int en = 0; en <= 1; en++) {
		char why[600], line[700];
		rs_error_last_text(why, sizeof why, en);
		const char *args[] = { why, NULL };
		rs_msg_format(line, sizeof line, "sec3.refuse_start", en, args);
		fprintf(stderr, "%s: %s\n", prog, line);
	}
}

int rs_seal_startup(const char *prog)
{
	int rc = rs_seal_keys_load(rs_config_str("totp_key_file"));
	if (rc != 0)
		rs_seal_say_refusal(prog);
	return rc;
}

int rs_seal_known(const char *id)
{
	pthread_mutex_lock(&rs_seal_ring.mu);
	int found = 0;
	for (int i = 0; i < rs_seal_ring.n; i++)
		found |= strcmp(rs_seal_ring.keys[i].id, id) == 0;
	pthread_mutex_unlock(&rs_seal_ring.mu);
	return found;
}

void rs_seal_key_id(char out[9])
{
	pthread_mutex_lock(&rs_seal_ring.mu);
	snprintf(out, 9, "%s", rs_seal_ring.n ? rs_seal_ring.keys[0].id : "");
	pthread_mutex_unlock(&rs_seal_ring.mu);
}

/* Copy the key of id (NULL: the sealing key) out of the ring; reload once when missing. */
static int rs_seal_key_get(struct rs_seal_key *out, const char *id)
{
	pthread_mutex_lock(&rs_seal_ring.mu);
	if (!id && rs_seal_ring.path[0]) { /* sealing: first pick up a rotation by another process */
		struct timespec seen[2];
		ino_t ino[2];
		rs_seal_stat(rs_seal_ring.path, seen, ino);
		if (memcmp(seen, rs_seal_ring.seen, sizeof seen) != 0 || memcmp(ino, rs_seal_ring.seen_ino, sizeof ino) != 0)
			(void)rs_seal_load_locked(rs_seal_ring.path);
	}
	int rc = RS_ENOTFOUND;
	for (int pass = 0; pass < 2 && rc != 0; pass++) {
		if (pass == 1 && (!id || !rs_seal_ring.path[0] || rs_seal_load_locked(rs_seal_ring.path) != 0))
			break;
		for (int i = 0; i < rs_seal_ring.n; i++)
			if (!id || strcmp(rs_seal_ring.keys[i].id, id) == 0) {
				*out = rs_seal_ring.keys[i];
				rc = 0;
				break;
			}
	}
	pthread_mutex_unlock(&rs_seal_ring.mu);
	if (rc != 0) {
		if (id)
			rs_error_set("sealed under key %s, which is not loaded (totp_key_file)", id);
		else
			rs_error_msg("sec3.key_unset", NULL);
		return id ? RS_ENOTFOUND : RS_ESTATE;
	}
	return 0;
}

/* AES-256-GCM one way or the other; aad = "s1.<id>." binding. */
static int rs_seal_gcm(int enc, unsigned char *out, const unsigned char *in, int n, const unsigned char *key,
                       const unsigned char nonce[RS_SEAL_NONCE], unsigned char tag[RS_SEAL_TAG], const char *id,
                       const char *binding)
{
	char head[16];
	snprintf(head, sizeof head, "s1.%s.", id);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int len = 0, ok = c != NULL;
	ok = ok && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL, enc) &&
	     EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, RS_SEAL_NONCE, NULL) &&
	     EVP_CipherInit_ex(c, NULL, NULL, key, nonce, enc) &&
	     EVP_CipherUpdate(c, NULL, &len, (const unsigned char *)head, (int)strlen(head)) &&
	     EVP_CipherUpdate(c, NULL, &len, (const unsigned char *)binding, (int)strlen(binding)) &&
	     EVP_CipherUpdate(c, out, &len, in, n) && len == n;
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, RS_SEAL_TAG, tag) == 1;
	ok = ok && EVP_CipherFinal_ex(c, out + n, &len) == 1;
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, RS_SEAL_TAG, tag) == 1;
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : RS_ECRYPTO;
}

int rs_seal(char out[RS_SEAL_TEXT_MAX], const unsigned char *plain, size_t n, const char *binding)
{
	if (n == 0 || n > RS_SEAL_PLAIN_MAX || !binding) {
		rs_error_set("a sealed secret has 1 to %d bytes", RS_SEAL_PLAIN_MAX);
		return RS_EINVAL;
	}
	struct rs_seal_key k;
	int rc = rs_seal_key_get(&k, NULL);
	if (rc != 0)
		return rc;
	unsigned char blob[RS_SEAL_BLOB_MAX];
	if ((rc = rs_random_bytes(blob, RS_SEAL_NONCE)) == 0 &&
	    (rc = rs_seal_gcm(1, blob + RS_SEAL_NONCE, plain, (int)n, k.key, blob, blob + RS_SEAL_NONCE + n, k.id,
	                      binding)) == 0) {
		int off = snprintf(out, RS_SEAL_TEXT_MAX, "s1.%s.", k.id);
		rs_b64url_encode(out + off, blob, RS_SEAL_NONCE + n + RS_SEAL_TAG);
	} else if (rc == RS_ECRYPTO) {
		rs_error_set("AES-256-GCM sealing failed");
	}
	OPENSSL_cleanse(&k, sizeof k);
	OPENSSL_cleanse(blob, sizeof blob);
	return rc;
}

int rs_seal_parse(char key_id[9], unsigned char *blob, size_t cap, size_t *blob_len, const char *text)
{
	size_t len = strnlen(text, RS_SEAL_TEXT_MAX);
	if (len >= RS_SEAL_TEXT_MAX) {
		rs_error_set("a sealed secret is at most %d characters", RS_SEAL_TEXT_MAX - 1);
		return RS_ETOOBIG;
	}
	if (len < 12 || memcmp(text, "s1.", 3) != 0 || text[11] != '.') {
		rs_error_set("not a sealed secret (s1.<key id>.<data>)");
		return RS_EPARSE;
	}
	for (int i = 3; i < 11; i++)
		if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f'))) {
			rs_error_set("a sealed secret's key id is 8 lowercase hex digits");
			return RS_EPARSE;
		}
	if (rs_b64url_decode(blob, cap, blob_len, text + 12, len - 12) != 0 ||
	    *blob_len < RS_SEAL_NONCE + 1 + RS_SEAL_TAG) {
		rs_error_set("a sealed secret's data is not base64url of nonce, ciphertext and tag");
		return RS_EPARSE;
	}
	memcpy(key_id, text + 3, 8);
	key_id[8] = '\0';
	return 0;
}

int rs_unseal(unsigned char *out, size_t cap, size_t *out_n, const char *text, const char *binding)
{
	char id[9];
	unsigned char blob[RS_SEAL_BLOB_MAX + 4];
	size_t blen = 0;
	int rc = rs_seal_parse(id, blob, sizeof blob, &blen, text);
	if (rc != 0)
		return rc;
	size_t n = blen - RS_SEAL_NONCE - RS_SEAL_TAG;
	if (n > cap || n > RS_SEAL_PLAIN_MAX) {
		rs_error_set("a sealed secret is longer than its reader's buffer");
		return RS_ETOOBIG;
	}
	struct rs_seal_key k;
	if ((rc = rs_seal_key_get(&k, id)) != 0)
		return rc;
	unsigned char plain[RS_SEAL_PLAIN_MAX + 32];
	rc = rs_seal_gcm(0, plain, blob + RS_SEAL_NONCE, (int)n, k.key, blob, blob + RS_SEAL_NONCE + n, id, binding);
	OPENSSL_cleanse(&k, sizeof k);
	if (rc == 0) {
		memcpy(out, plain, n);
		*out_n = n;
	} else {
		rs_error_set("a sealed secret does not open under key %s for %s (changed, moved or another key)", id,
		             binding);
	}
	OPENSSL_cleanse(plain, sizeof plain);
	return rc;
}

int rs_seal_current(const char *text)
{
	char id[9];
	rs_seal_key_id(id);
	return id[0] && strncmp(text, "s1.", 3) == 0 && strncmp(text + 3, id, 8) == 0 && text[11] == '.';
}

int rs_seal_again(char out[RS_SEAL_TEXT_MAX], const char *stored, size_t want, const char *binding)
{
	unsigned char raw[RS_SEAL_PLAIN_MAX];
	size_t n = 0;
	int rc = strncmp(stored, "s1.", 3) == 0 ? rs_unseal(raw, sizeof raw, &n, stored, binding)
	                                        : rs_base32_decode(raw, sizeof raw, &n, stored);
	if (rc != 0 || n != want)
		rc = RS_EPARSE;
	else
		rc = rs_seal(out, raw, n, binding);
	OPENSSL_cleanse(raw, sizeof raw);
	return rc;
}

int rs_seal_key_loaded(void *arg, const char *id)
{
	(void)arg;
	if (rs_seal_known(id))
		return 0;
	rs_error_msg("sec3.key_unknown", id, NULL);
	return RS_ENOTFOUND;
}

int rs_seal_rotate_begin(const char *path, char out_old[9], char out_new[9])
{
	char npath[4200];
	snprintf(npath, sizeof npath, "%s.next", path);
	int fd = open(npath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0) {
		unsigned char key[RS_SEAL_KEY_LEN];
		int rc = rs_random_bytes(key, sizeof key);
		int ok = rc == 0 && write(fd, key, sizeof key) == (ssize_t)sizeof key && fsync(fd) == 0;
		OPENSSL_cleanse(key, sizeof key);
		close(fd);
		if (!ok) {
			unlink(npath);
			rs_error_set("cannot write the new key file '%s': %s", npath, strerror(errno));
			return RS_EIO;
		}
	} else if (errno != EEXIST) {
		rs_error_set("cannot create the new key file '%s': %s", npath, strerror(errno));
		return RS_EIO;
	}
	pthread_mutex_lock(&rs_seal_ring.mu);
	int rc = rs_seal_load_locked(path);
	if (rc == 0) {
		snprintf(out_new, 9, "%s", rs_seal_ring.keys[0].id);
		snprintf(out_old, 9, "%s", rs_seal_ring.keys[rs_seal_ring.n - 1].id);
	}
	pthread_mutex_unlock(&rs_seal_ring.mu);
	return rc;
}

int rs_seal_rotate_commit(const char *path)
{
	char npath[4200];
	snprintf(npath, sizeof npath, "%s.next", path);
	if (rename(npath, path) != 0) {
		rs_error_set("cannot rename '%s' to '%s': %s (do it by hand: the rows are sealed under the new key)",
		             npath, path, strerror(errno));
		return RS_EIO;
	}
	pthread_mutex_lock(&rs_seal_ring.mu);
	int rc = rs_seal_load_locked(path);
	pthread_mutex_unlock(&rs_seal_ring.mu);
	return rc;
}
