/* registry: RFC 9162 Merkle tree, proofs, and C2SP signed-note checkpoints. */
#include "reg_tlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "rs_error.h"

void reg_tlog_leaf_hash(reg_hash out, const void *data, size_t len)
{
	uint8_t small[1 + 1024];
	const uint8_t z = 0x00;
	if (len <= sizeof small - 1) {
		small[0] = z;
		memcpy(small + 1, data, len);
		SHA256(small, len + 1, out);
		return;
	}
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	if (!c || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(c, &z, 1) != 1 ||
	    EVP_DigestUpdate(c, data, len) != 1 || EVP_DigestFinal_ex(c, out, NULL) != 1)
		abort(); /* only allocation failure gets here */
	EVP_MD_CTX_free(c);
}

void reg_tlog_node_hash(reg_hash out, const reg_hash left, const reg_hash right)
{
	uint8_t buf[1 + 2 * REG_HASH_LEN];
	buf[0] = 0x01;
	memcpy(buf + 1, left, REG_HASH_LEN);
	memcpy(buf + 1 + REG_HASH_LEN, right, REG_HASH_LEN);
	SHA256(buf, sizeof buf, out);
}

/* Largest power of two strictly below n (n >= 2). */
static uint64_t reg_split(uint64_t n)
{
	uint64_t k = 1;
	while (k << 1 < n)
		k <<= 1;
	return k;
}

void reg_tlog_root(reg_hash out, const reg_hash *leaves, uint64_t n)
{
	if (n == 0) {
		SHA256((const uint8_t *)"", 0, out);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves[0], REG_HASH_LEN);
		return;
	}
	uint64_t k = reg_split(n);
	reg_hash l, r;
	reg_tlog_root(l, leaves, k);
	reg_tlog_root(r, leaves + k, n - k);
	reg_tlog_node_hash(out, l, r);
}

static int reg_push(reg_hash *out, size_t *n, size_t cap, const reg_hash h)
{
	if (*n >= cap) {
		rs_error_set("proof longer than the %zu hashes allowed", cap);
		return RS_ETOOBIG;
	}
	memcpy(out[(*n)++], h, REG_HASH_LEN);
	return 0;
}

/* PATH(m, D[lo:lo+n]) of RFC 9162 §2.1.3.1; hashes are appended leaf-to-root. */
static int reg_path(reg_hash *out, size_t *on, size_t cap, const struct reg_tlog_src *src, uint64_t m,
                    uint64_t lo, uint64_t n)
{
	if (n <= 1)
		return 0;
	uint64_t k = reg_split(n);
	reg_hash sib;
	int rc;
	if (m < k) {
		if ((rc = reg_path(out, on, cap, src, m, lo, k)) != 0 ||
		    (rc = src->range(src->ctx, sib, lo + k, lo + n)) != 0)
			return rc;
	} else {
		if ((rc = reg_path(out, on, cap, src, m - k, lo + k, n - k)) != 0 ||
		    (rc = src->range(src->ctx, sib, lo, lo + k)) != 0)
			return rc;
	}
	return reg_push(out, on, cap, sib);
}

int reg_tlog_src_root(reg_hash out, const struct reg_tlog_src *src, uint64_t size)
{
	if (size == 0) {
		SHA256((const uint8_t *)"", 0, out);
		return 0;
	}
	return src->range(src->ctx, out, 0, size);
}

int reg_tlog_src_inclusion_proof(reg_hash *out, size_t *out_n, size_t cap, const struct reg_tlog_src *src,
                                 uint64_t index, uint64_t size)
{
	if (index >= size) {
		rs_error_set("leaf %llu is not in a tree of %llu leaves", (unsigned long long)index,
		             (unsigned long long)size);
		return RS_ERANGE;
	}
	*out_n = 0;
	return reg_path(out, out_n, cap, src, index, 0, size);
}

struct reg_array_src {
	const reg_hash *leaves;
	uint64_t n;
};

static int reg_array_range(void *ctx, reg_hash out, uint64_t lo, uint64_t hi)
{
	const struct reg_array_src *a = ctx;
	if (lo >= hi || hi > a->n) {
		rs_error_set("subtree [%llu, %llu) is outside the %llu leaves", (unsigned long long)lo,
		             (unsigned long long)hi, (unsigned long long)a->n);
		return RS_ERANGE;
	}
	reg_tlog_root(out, a->leaves + lo, hi - lo);
	return 0;
}

int reg_tlog_inclusion_proof(reg_hash *out, size_t *out_n, size_t cap, uint64_t index,
                             const reg_hash *leaves, uint64_t n)
{
	struct reg_array_src a = { leaves, n };
	struct reg_tlog_src src = { reg_array_range, &a };
	return reg_tlog_src_inclusion_proof(out, out_n, cap, &src, index, n);
}

int reg_tlog_verify_inclusion(uint64_t index, uint64_t size, const reg_hash leaf,
                              const reg_hash *proof, size_t proof_n, const reg_hash root)
{
	uint64_t fn = index, sn = size - 1;
	reg_hash r;
	if (index >= size)
		goto bad;
	memcpy(r, leaf, REG_HASH_LEN);
	for (size_t i = 0; i < proof_n; i++) {
		if (sn == 0)
			goto bad;
		if ((fn & 1) || fn == sn) {
			reg_tlog_node_hash(r, proof[i], r);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			reg_tlog_node_hash(r, r, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn == 0 && memcmp(r, root, REG_HASH_LEN) == 0)
		return 0;
bad:
	rs_error_set("inclusion proof of leaf %llu in tree size %llu does not verify",
	             (unsigned long long)index, (unsigned long long)size);
	return RS_ECRYPTO;
}

/* SUBPROOF(m, D[lo:lo+n], b) of RFC 9162 §2.1.4.1. */
static int reg_subproof(reg_hash *out, size_t *on, size_t cap, const struct reg_tlog_src *src, uint64_t m,
                        uint64_t lo, uint64_t n, int b)
{
	reg_hash h;
	int rc;
	if (m == n) {
		if (b)
			return 0;
		if ((rc = src->range(src->ctx, h, lo, lo + n)) != 0)
			return rc;
		return reg_push(out, on, cap, h);
	}
	uint64_t k = reg_split(n);
	if (m <= k) {
		if ((rc = reg_subproof(out, on, cap, src, m, lo, k, b)) != 0 ||
		    (rc = src->range(src->ctx, h, lo + k, lo + n)) != 0)
			return rc;
	} else {
		if ((rc = reg_subproof(out, on, cap, src, m - k, lo + k, n - k, 0)) != 0 ||
		    (rc = src->range(src->ctx, h, lo, lo + k)) != 0)
			return rc;
	}
	return reg_push(out, on, cap, h);
}

int reg_tlog_src_consistency_proof(reg_hash *out, size_t *out_n, size_t cap,
                                   const struct reg_tlog_src *src, uint64_t m, uint64_t size)
{
	if (m == 0 || m > size) {
		rs_error_set("no consistency proof from size %llu to size %llu", (unsigned long long)m,
		             (unsigned long long)size);
		return RS_ERANGE;
	}
	*out_n = 0;
	return reg_subproof(out, out_n, cap, src, m, 0, size, 1);
}

int reg_tlog_consistency_proof(reg_hash *out, size_t *out_n, size_t cap, uint64_t m,
                               const reg_hash *leaves, uint64_t n)
{
	struct reg_array_src a = { leaves, n };
	struct reg_tlog_src src = { reg_array_range, &a };
	return reg_tlog_src_consistency_proof(out, out_n, cap, &src, m, n);
}

/* ---------- in-memory tree of complete subtrees ---------- */

static int reg_tree_put(struct reg_tlog_tree *t, int k, uint64_t i, const reg_hash h)
{
	if (i >= t->cap[k]) {
		uint64_t nc = t->cap[k] ? t->cap[k] * 2 : 64;
		reg_hash *p = realloc(t->lv[k], nc * sizeof *p);
		if (!p)
			return RS_ENOMEM;
		t->lv[k] = p;
		t->cap[k] = nc;
	}
	memcpy(t->lv[k][i], h, REG_HASH_LEN);
	return 0;
}

int reg_tlog_tree_append(struct reg_tlog_tree *t, const reg_hash leaf)
{
	uint64_t i = t->n;
	reg_hash h;
	int rc;
	if ((rc = reg_tree_put(t, 0, i, leaf)) != 0)
		return rc;
	memcpy(h, leaf, REG_HASH_LEN);
	/* Each time the new node is a right child, its parent subtree is now complete. */
	for (int k = 0; k < 63 && (i & 1); k++, i >>= 1) {
		reg_tlog_node_hash(h, t->lv[k][i - 1], h);
		if ((rc = reg_tree_put(t, k + 1, i >> 1, h)) != 0)
			return rc;
	}
	t->n++;
	return 0;
}

int reg_tlog_tree_range(reg_hash out, const struct reg_tlog_tree *t, uint64_t lo, uint64_t hi)
{
	uint64_t n = hi - lo;
	if (lo >= hi || hi > t->n) {
		rs_error_set("subtree [%llu, %llu) is outside the %llu leaves", (unsigned long long)lo,
		             (unsigned long long)hi, (unsigned long long)t->n);
		return RS_ERANGE;
	}
	if ((n & (n - 1)) == 0 && lo % n == 0) {
		int k = __builtin_ctzll(n);
		memcpy(out, t->lv[k][lo >> k], REG_HASH_LEN);
		return 0;
	}
	uint64_t k = reg_split(n);
	reg_hash l, r;
	int rc;
	if ((rc = reg_tlog_tree_range(l, t, lo, lo + k)) != 0 || (rc = reg_tlog_tree_range(r, t, lo + k, hi)) != 0)
		return rc;
	reg_tlog_node_hash(out, l, r);
	return 0;
}

static int reg_tree_range_cb(void *ctx, reg_hash out, uint64_t lo, uint64_t hi)
{
	return reg_tlog_tree_range(out, ctx, lo, hi);
}

struct reg_tlog_src reg_tlog_tree_src(struct reg_tlog_tree *t)
{
	struct reg_tlog_src s = { reg_tree_range_cb, t };
	return s;
}

void reg_tlog_tree_free(struct reg_tlog_tree *t)
{
	if (!t)
		return;
	for (int k = 0; k < 64; k++) {
		free(t->lv[k]);
		t->lv[k] = NULL;
		t->cap[k] = 0;
	}
	t->n = 0;
}

int reg_tlog_verify_consistency(uint64_t m, uint64_t n, const reg_hash *proof, size_t proof_n,
                                const reg_hash root_m, const reg_hash root_n)
{
	reg_hash fr, sr;
	const reg_hash *path = proof;
	size_t plen = proof_n, start = 0;
	uint64_t fn, sn;

	if (m == 0 || m > n)
		goto bad;
	if (m == n) {
		if (proof_n == 0 && memcmp(root_m, root_n, REG_HASH_LEN) == 0)
			return 0;
		goto bad;
	}
	if (proof_n == 0)
		goto bad;
	/* When m is a power of two, the proof omits root_m: it is the first path element. */
	int pow2 = (m & (m - 1)) == 0;
	fn = m - 1;
	sn = n - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	if (pow2) {
		memcpy(fr, root_m, REG_HASH_LEN);
		memcpy(sr, root_m, REG_HASH_LEN);
	} else {
		memcpy(fr, path[0], REG_HASH_LEN);
		memcpy(sr, path[0], REG_HASH_LEN);
		start = 1;
	}
	for (size_t i = start; i < plen; i++) {
		if (sn == 0)
			goto bad;
		if ((fn & 1) || fn == sn) {
			reg_tlog_node_hash(fr, path[i], fr);
			reg_tlog_node_hash(sr, path[i], sr);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			reg_tlog_node_hash(sr, sr, path[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn == 0 && memcmp(fr, root_m, REG_HASH_LEN) == 0 && memcmp(sr, root_n, REG_HASH_LEN) == 0)
		return 0;
bad:
	rs_error_set("consistency proof from size %llu to %llu does not verify",
	             (unsigned long long)m, (unsigned long long)n);
	return RS_ECRYPTO;
}

/* ---------- signed notes ---------- */

static const char reg_em_dash[] = "\xe2\x80\x94"; /* U+2014, starts every signature line */

static void reg_key_hash(uint8_t out[4], const char *name, const uint8_t pub[CERT_PUB_LEN])
{
	uint8_t buf[REG_NOTE_NAME_MAX + 2 + CERT_PUB_LEN], dg[32];
	size_t n = strlen(name);
	/* Callers check the name bound (reg_name_ok) before we get here. */
	memcpy(buf, name, n);
	buf[n] = '\n';
	buf[n + 1] = 0x01;
	memcpy(buf + n + 2, pub, CERT_PUB_LEN);
	SHA256(buf, n + 2 + CERT_PUB_LEN, dg);
	memcpy(out, dg, 4);
}

static int reg_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n >= REG_NOTE_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (name[i] == ' ' || name[i] == '\n' || name[i] == '+' || (unsigned char)name[i] < 0x20)
			return 0;
	return 1;
}

int reg_note_vkey(char *out, size_t cap, const char *name, const uint8_t pub[CERT_PUB_LEN])
{
	uint8_t kh[4], k[1 + CERT_PUB_LEN];
	char b64[64];
	if (!reg_name_ok(name)) {
		rs_error_set("note key name must be 1..255 bytes without spaces, '+' or newlines");
		return RS_EINVAL;
	}
	reg_key_hash(kh, name, pub);
	k[0] = 0x01;
	memcpy(k + 1, pub, CERT_PUB_LEN);
	EVP_EncodeBlock((unsigned char *)b64, k, sizeof k);
	if ((size_t)snprintf(out, cap, "%s+%02x%02x%02x%02x+%s", name, kh[0], kh[1], kh[2], kh[3], b64) >= cap) {
		rs_error_set("verifier key does not fit in %zu bytes", cap);
		return RS_ETOOBIG;
	}
	return 0;
}

/* Standard base64 decode with padding (EVP_DecodeBlock pads its output: undo that). */
static int reg_b64std_decode(uint8_t *out, size_t cap, size_t *out_n, const char *in, size_t len)
{
	if (len == 0 || len % 4 || len / 4 * 3 > cap)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char ch = in[i];
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '+' || ch == '/' || (ch == '=' && i >= len - 2)))
			return -1;
	}
	if (in[len - 2] == '=' && in[len - 1] != '=')
		return -1;
	int n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
	if (n < 0)
		return -1;
	size_t pad = (in[len - 1] == '=') + (in[len - 2] == '=');
	*out_n = (size_t)n - pad;
	return 0;
}

struct reg_vkey {
	char name[REG_NOTE_NAME_MAX];
	uint8_t hash[4];
	uint8_t pub[CERT_PUB_LEN];
};

static int reg_vkey_parse(struct reg_vkey *out, const char *vkey)
{
	const char *p1 = strchr(vkey, '+'), *p2 = p1 ? strchr(p1 + 1, '+') : NULL;
	uint8_t k[64], want[4];
	size_t n = 0;
	if (!p1 || !p2 || (size_t)(p1 - vkey) >= sizeof out->name || p2 - p1 != 9)
		goto bad;
	memcpy(out->name, vkey, (size_t)(p1 - vkey));
	out->name[p1 - vkey] = '\0';
	for (int i = 0; i < 4; i++) {
		unsigned v;
		if (sscanf(p1 + 1 + 2 * i, "%2x", &v) != 1)
			goto bad;
		out->hash[i] = (uint8_t)v;
	}
	if (!reg_name_ok(out->name) || reg_b64std_decode(k, sizeof k, &n, p2 + 1, strlen(p2 + 1)) != 0 ||
	    n != 1 + CERT_PUB_LEN || k[0] != 0x01)
		goto bad;
	memcpy(out->pub, k + 1, CERT_PUB_LEN);
	reg_key_hash(want, out->name, out->pub);
	if (memcmp(want, out->hash, 4) != 0)
		goto bad;
	return 0;
bad:
	rs_error_set("verifier key is not <name>+<hash>+<base64 Ed25519 key> with a matching hash");
	return RS_EPARSE;
}

int reg_note_verify(size_t *out_text_len, const char *note, size_t len, const char *vkey)
{
	struct reg_vkey vk;
	const char *sep = NULL, *p, *end = note + len;
	size_t text_len;
	int rc, found = 0;

	if (len > REG_NOTE_MAX) {
		rs_error_set("signed note is %zu bytes, over the %d bound", len, REG_NOTE_MAX);
		return RS_ETOOBIG;
	}
	if ((rc = reg_vkey_parse(&vk, vkey)) != 0)
		return rc;
	if (memchr(note, '\0', len)) {
		rs_error_set("signed note holds a NUL byte");
		return RS_EPARSE;
	}
	/* The text ends at the last "\n\n": signatures follow the blank line. */
	for (p = note; p + 1 < end; p++)
		if (p[0] == '\n' && p[1] == '\n')
			sep = p;
	if (!sep || len == 0 || note[len - 1] != '\n') {
		rs_error_set("signed note lacks its blank line or final newline");
		return RS_EPARSE;
	}
	text_len = (size_t)(sep - note) + 1;
	for (p = sep + 2; p < end;) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t ll = (size_t)(eol - p), nl = strlen(vk.name);
		uint8_t blob[128];
		size_t bn = 0;
		if (ll < 4 || memcmp(p, reg_em_dash, 3) != 0 || p[3] != ' ') {
			rs_error_set("signed note has a line that is not a signature line");
			return RS_EPARSE;
		}
		if (ll > 4 + nl + 1 && memcmp(p + 4, vk.name, nl) == 0 && p[4 + nl] == ' ' &&
		    reg_b64std_decode(blob, sizeof blob, &bn, p + 5 + nl, ll - 5 - nl) == 0 &&
		    bn == 4 + CERT_SIG_LEN && memcmp(blob, vk.hash, 4) == 0) {
			if (cert_ed25519_verify(vk.pub, (const unsigned char *)note, text_len, blob + 4) == 0)
				found = 1;
		}
		p = eol + 1;
	}
	if (!found) {
		rs_error_set("signed note carries no valid signature by key '%s'", vk.name);
		return RS_ECRYPTO;
	}
	*out_text_len = text_len;
	return 0;
}

int reg_checkpoint_sign(char **out_note, const struct reg_checkpoint *cp, const char *key_name,
                        const uint8_t pub[CERT_PUB_LEN], const char *kid,
                        const struct cert_signer *signer)
{
	char root64[64], sig64[128], *note;
	uint8_t blob[4 + CERT_SIG_LEN];
	int n, rc;
	if (!reg_name_ok(key_name) || !cp->origin[0] || strchr(cp->origin, '\n')) {
		rs_error_set("checkpoint origin and key name must be non-empty single lines without spaces");
		return RS_EINVAL;
	}
	EVP_EncodeBlock((unsigned char *)root64, cp->root, REG_HASH_LEN);
	note = malloc(REG_NOTE_NAME_MAX * 2 + 256);
	if (!note)
		return RS_ENOMEM;
	n = snprintf(note, REG_NOTE_NAME_MAX * 2 + 256, "%s\n%llu\n%s\n", cp->origin,
	             (unsigned long long)cp->size, root64);
	if ((rc = signer->sign(signer->ctx, blob + 4, kid, (const unsigned char *)note, (size_t)n)) != 0) {
		free(note);
		return rc;
	}
	reg_key_hash(blob, key_name, pub);
	EVP_EncodeBlock((unsigned char *)sig64, blob, sizeof blob);
	snprintf(note + n, REG_NOTE_NAME_MAX * 2 + 256 - (size_t)n, "\n%s %s %s\n", reg_em_dash, key_name, sig64);
	*out_note = note;
	return 0;
}

int reg_checkpoint_verify(struct reg_checkpoint *out, const char *note, size_t len,
                          const char *vkey, const char *expected_origin)
{
	size_t tl = 0, n = 0;
	int rc = reg_note_verify(&tl, note, len, vkey);
	const char *l1, *l2, *l3;
	uint8_t root[48];
	char num[24];
	if (rc)
		return rc;
	/* Text: origin, size, base64 root, then optional extension lines (ignored). */
	l1 = memchr(note, '\n', tl);
	l2 = l1 ? memchr(l1 + 1, '\n', tl - (size_t)(l1 + 1 - note)) : NULL;
	l3 = l2 ? memchr(l2 + 1, '\n', tl - (size_t)(l2 + 1 - note)) : NULL;
	if (!l3 || l1 == note || (size_t)(l1 - note) >= sizeof out->origin ||
	    (size_t)(l2 - l1 - 1) >= sizeof num || l2 - l1 - 1 == 0) {
		rs_error_set("checkpoint text is not origin, size and root lines");
		return RS_EPARSE;
	}
	memcpy(num, l1 + 1, (size_t)(l2 - l1 - 1));
	num[l2 - l1 - 1] = '\0';
	for (char *c = num; *c; c++)
		if (*c < '0' || *c > '9') {
			rs_error_set("checkpoint size is not a decimal number");
			return RS_EPARSE;
		}
	if ((num[0] == '0' && num[1]) || strlen(num) > 19) {
		rs_error_set("checkpoint size has leading zeros or is too large");
		return RS_EPARSE;
	}
	if (reg_b64std_decode(root, sizeof root, &n, l2 + 1, (size_t)(l3 - l2 - 1)) != 0 || n != REG_HASH_LEN) {
		rs_error_set("checkpoint root is not a base64 SHA-256 hash");
		return RS_EPARSE;
	}
	memcpy(out->origin, note, (size_t)(l1 - note));
	out->origin[l1 - note] = '\0';
	if (expected_origin && strcmp(expected_origin, out->origin) != 0) {
		rs_error_set("checkpoint is for log '%.100s', not '%.100s'", out->origin, expected_origin);
		return RS_ECRYPTO;
	}
	out->size = strtoull(num, NULL, 10);
	memcpy(out->root, root, REG_HASH_LEN);
	return 0;
}
