/* Unit tests of registry/reg_tlog: RFC 6962/9162 reference vectors (roots, inclusion and
 * consistency proofs), every proof of trees up to 40 leaves, and C2SP signed notes checked
 * against the Go sumdb/note reference vector. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "cert_keys.h"
#include "reg_tlog.h"
#include "rs_encode.h"
#include "rs_error.h"

/* The Certificate Transparency reference inputs (RFC 6962 test data). */
static const char *ct_inputs[8] = {
	"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
};
static const char *ct_roots[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct proof_vec {
	uint64_t a, b;       /* inclusion: leaf index, size; consistency: m, n */
	int n;
	const char *h[3];
};

static const struct proof_vec inclusion_vecs[] = {
	{ 0, 8, 3, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 5, 8, 3, { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 2, 3, 1, { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" } },
	{ 1, 5, 3, { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
};

static const struct proof_vec consistency_vecs[] = {
	{ 1, 1, 0, { NULL } },
	{ 1, 8, 3, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	             "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	             "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 6, 8, 3, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	             "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	             "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 2, 5, 2, { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	             "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
};

static void unhex(uint8_t *out, const char *hex)
{
	for (size_t i = 0; i < strlen(hex) / 2; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static reg_hash ct_leaves[8];

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 8; i++) {
		uint8_t buf[16];
		unhex(buf, ct_inputs[i]);
		reg_tlog_leaf_hash(ct_leaves[i], buf, strlen(ct_inputs[i]) / 2);
	}
	return 0;
}

static void test_reference_roots(void **state)
{
	(void)state;
	for (uint64_t n = 0; n <= 8; n++) {
		reg_hash root;
		char hex[65];
		reg_tlog_root(root, ct_leaves, n);
		rs_hex_encode(hex, root, 32);
		assert_string_equal(hex, ct_roots[n]);
	}
}

static void test_reference_proofs(void **state)
{
	(void)state;
	reg_hash proof[REG_PROOF_MAX], want[3], r1, r2;
	size_t n = 0;
	for (size_t v = 0; v < sizeof inclusion_vecs / sizeof inclusion_vecs[0]; v++) {
		const struct proof_vec *iv = &inclusion_vecs[v];
		assert_int_equal(reg_tlog_inclusion_proof(proof, &n, REG_PROOF_MAX, iv->a, ct_leaves, iv->b), 0);
		assert_int_equal(n, iv->n);
		for (int i = 0; i < iv->n; i++) {
			unhex(want[i], iv->h[i]);
			assert_memory_equal(proof[i], want[i], 32);
		}
		unhex(r1, ct_roots[iv->b]);
		assert_int_equal(reg_tlog_verify_inclusion(iv->a, iv->b, ct_leaves[iv->a], want, (size_t)iv->n, r1), 0);
	}
	for (size_t v = 0; v < sizeof consistency_vecs / sizeof consistency_vecs[0]; v++) {
		const struct proof_vec *cv = &consistency_vecs[v];
		assert_int_equal(reg_tlog_consistency_proof(proof, &n, REG_PROOF_MAX, cv->a, ct_leaves, cv->b), 0);
		assert_int_equal(n, cv->n);
		for (int i = 0; i < cv->n; i++) {
			unhex(want[i], cv->h[i]);
			assert_memory_equal(proof[i], want[i], 32);
		}
		unhex(r1, ct_roots[cv->a]);
		unhex(r2, ct_roots[cv->b]);
		assert_int_equal(reg_tlog_verify_consistency(cv->a, cv->b, want, (size_t)cv->n, r1, r2), 0);
	}
}

/* Every inclusion and consistency proof of every tree of 1..40 leaves verifies, and fails
 * when a hash, index or size is wrong. */
static void test_all_proofs(void **state)
{
	(void)state;
	enum { N = 40 };
	reg_hash leaves[N], roots[N + 1], proof[REG_PROOF_MAX], bad;
	size_t pn = 0;
	for (int i = 0; i < N; i++) {
		uint8_t d[2] = { (uint8_t)i, (uint8_t)(i * 7) };
		reg_tlog_leaf_hash(leaves[i], d, 2);
	}
	for (uint64_t n = 0; n <= N; n++)
		reg_tlog_root(roots[n], leaves, n);
	for (uint64_t n = 1; n <= N; n++) {
		for (uint64_t i = 0; i < n; i++) {
			assert_int_equal(reg_tlog_inclusion_proof(proof, &pn, REG_PROOF_MAX, i, leaves, n), 0);
			assert_int_equal(reg_tlog_verify_inclusion(i, n, leaves[i], proof, pn, roots[n]), 0);
			memcpy(bad, leaves[i], 32);
			bad[0] ^= 1;
			assert_int_equal(reg_tlog_verify_inclusion(i, n, bad, proof, pn, roots[n]), RS_ECRYPTO);
			if (n > 1)
				assert_int_equal(reg_tlog_verify_inclusion((i + 1) % n, n, leaves[i], proof, pn, roots[n]),
				                 RS_ECRYPTO);
			if (n < N) /* the proof of a smaller tree does not prove inclusion in the next one */
				assert_int_equal(reg_tlog_verify_inclusion(i, n + 1, leaves[i], proof, pn, roots[n + 1]),
				                 RS_ECRYPTO);
			if (pn > 0) {
				proof[pn - 1][5] ^= 0x80;
				assert_int_equal(reg_tlog_verify_inclusion(i, n, leaves[i], proof, pn, roots[n]), RS_ECRYPTO);
			}
		}
		for (uint64_t m = 1; m <= n; m++) {
			assert_int_equal(reg_tlog_consistency_proof(proof, &pn, REG_PROOF_MAX, m, leaves, n), 0);
			assert_int_equal(reg_tlog_verify_consistency(m, n, proof, pn, roots[m], roots[n]), 0);
			/* A rewritten history (leaf 0 changed) cannot be made consistent. */
			memcpy(bad, roots[m], 32);
			bad[31] ^= 1;
			assert_int_equal(reg_tlog_verify_consistency(m, n, proof, pn, bad, roots[n]), RS_ECRYPTO);
			if (m < n)
				assert_int_equal(reg_tlog_verify_consistency(m, n, proof, pn, roots[m], roots[n - 1]),
				                 RS_ECRYPTO);
		}
	}
	assert_int_equal(reg_tlog_inclusion_proof(proof, &pn, REG_PROOF_MAX, 5, leaves, 5), RS_ERANGE);
	assert_int_equal(reg_tlog_consistency_proof(proof, &pn, REG_PROOF_MAX, 0, leaves, 5), RS_ERANGE);
	assert_int_equal(reg_tlog_verify_consistency(0, 5, proof, 0, roots[0], roots[5]), RS_ECRYPTO);
}

/* The in-memory tree of complete subtrees gives the same roots and proofs as the plain
 * leaf array, for every earlier tree size, while it grows. */
static void test_tree_matches_array(void **state)
{
	(void)state;
	enum { N = 70 };
	reg_hash leaves[N], a[REG_PROOF_MAX], b[REG_PROOF_MAX], r1, r2;
	size_t an = 0, bn = 0;
	struct reg_tlog_tree t = { 0 };
	struct reg_tlog_src src = reg_tlog_tree_src(&t);
	for (int i = 0; i < N; i++) {
		uint8_t d[3] = { 'x', (uint8_t)i, (uint8_t)(i >> 8) };
		reg_tlog_leaf_hash(leaves[i], d, 3);
		assert_int_equal(reg_tlog_tree_append(&t, leaves[i]), 0);
		uint64_t now_n = (uint64_t)i + 1;
		for (uint64_t size = 1; size <= now_n; size += (size < 10 ? 1 : 7)) {
			reg_tlog_root(r1, leaves, size);
			assert_int_equal(reg_tlog_src_root(r2, &src, size), 0);
			assert_memory_equal(r1, r2, 32);
			for (uint64_t j = 0; j < size; j += 3) {
				assert_int_equal(reg_tlog_inclusion_proof(a, &an, REG_PROOF_MAX, j, leaves, size), 0);
				assert_int_equal(reg_tlog_src_inclusion_proof(b, &bn, REG_PROOF_MAX, &src, j, size), 0);
				assert_int_equal(an, bn);
				assert_memory_equal(a, b, an * 32);
				assert_int_equal(reg_tlog_consistency_proof(a, &an, REG_PROOF_MAX, j + 1, leaves, size), 0);
				assert_int_equal(reg_tlog_src_consistency_proof(b, &bn, REG_PROOF_MAX, &src, j + 1, size), 0);
				assert_int_equal(an, bn);
				assert_memory_equal(a, b, an * 32);
			}
		}
	}
	/* The reference roots, through the tree. */
	struct reg_tlog_tree ct = { 0 };
	char hex[65];
	for (int i = 0; i < 8; i++) {
		assert_int_equal(reg_tlog_tree_append(&ct, ct_leaves[i]), 0);
		assert_int_equal(reg_tlog_tree_range(r1, &ct, 0, (uint64_t)i + 1), 0);
		rs_hex_encode(hex, r1, 32);
		assert_string_equal(hex, ct_roots[i + 1]);
	}
	assert_int_equal(reg_tlog_tree_range(r1, &ct, 0, 9), RS_ERANGE);
	reg_tlog_tree_free(&ct);
	reg_tlog_tree_free(&t);
}

/* golang.org/x/mod/sumdb/note reference: key, text and the note Go produces. */
#define GO_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define GO_TEXT "If you think cryptography is the answer to your problem,\n" \
                "then you don't know what your problem is.\n"
#define GO_NOTE GO_TEXT "\n\xe2\x80\x94 PeterNeumann " \
	"x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

static void test_go_note_vector(void **state)
{
	(void)state;
	size_t tl = 0;
	uint8_t k[40];
	int n;
	char vkey[200];
	const char *note = GO_NOTE;
	assert_int_equal(reg_note_verify(&tl, note, strlen(note), GO_VKEY), 0);
	assert_int_equal(tl, strlen(GO_TEXT));
	/* Our key-hash computation rebuilds Go's verifier key from the raw public key. */
	n = EVP_DecodeBlock(k, (const unsigned char *)"ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", 44);
	assert_true(n >= 33);
	assert_int_equal(reg_note_vkey(vkey, sizeof vkey, "PeterNeumann", k + 1), 0);
	assert_string_equal(vkey, GO_VKEY);
	/* One changed letter of the text: no valid signature. */
	char *bad = strdup(note);
	strstr(bad, "cryptography")[0] = 'C';
	assert_int_equal(reg_note_verify(&tl, bad, strlen(bad), GO_VKEY), RS_ECRYPTO);
	free(bad);
	/* A wrong key hash in the verifier key is refused when parsed. */
	assert_int_equal(reg_note_verify(&tl, note, strlen(note),
	                                 "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
	                 RS_EPARSE);
}

static void test_checkpoint_roundtrip(void **state)
{
	(void)state;
	char dir[] = "/tmp/reg-tlog-XXXXXX", kid[CERT_KID_MAX + 1], vkey[300], cmd[100];
	struct cert_keydir kd;
	struct cert_keyring *kr = NULL;
	struct reg_checkpoint cp = { .origin = "riss.example.jp/log", .size = 8 }, got;
	char *note = NULL, want_body[200], root64[64];

	assert_non_null(mkdtemp(dir));
	assert_int_equal(cert_keydir_load(&kd, dir), 0);
	assert_int_equal(cert_keydir_new(kid, &kd, 1790000000), 0);
	assert_int_equal(cert_keyring_load(&kr, dir), 0);
	struct cert_signer s = cert_keyring_signer(kr);
	reg_tlog_root(cp.root, ct_leaves, 8);
	assert_int_equal(reg_checkpoint_sign(&note, &cp, "riss.example.jp/log", kd.keys[0].pub, kid, &s), 0);

	/* Body is the C2SP tlog-checkpoint form: origin, size, standard base64 root. */
	EVP_EncodeBlock((unsigned char *)root64, cp.root, 32);
	snprintf(want_body, sizeof want_body, "riss.example.jp/log\n8\n%s\n\n\xe2\x80\x94 riss.example.jp/log ", root64);
	assert_int_equal(strncmp(note, want_body, strlen(want_body)), 0);
	assert_string_equal(root64, "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=");

	assert_int_equal(reg_note_vkey(vkey, sizeof vkey, "riss.example.jp/log", kd.keys[0].pub), 0);
	assert_int_equal(reg_checkpoint_verify(&got, note, strlen(note), vkey, "riss.example.jp/log"), 0);
	assert_int_equal(got.size, 8);
	assert_memory_equal(got.root, cp.root, 32);
	assert_string_equal(got.origin, "riss.example.jp/log");
	assert_int_equal(reg_checkpoint_verify(&got, note, strlen(note), vkey, "other.log"), RS_ECRYPTO);

	/* A checkpoint claiming another size does not verify. */
	char *forged = strdup(note);
	strchr(forged, '\n')[1] = '9';
	assert_int_equal(reg_checkpoint_verify(&got, forged, strlen(forged), vkey, NULL), RS_ECRYPTO);
	free(forged);
	assert_int_equal(reg_checkpoint_verify(&got, note, strlen(note) - 1, vkey, NULL), RS_EPARSE);

	free(note);
	cert_keyring_free(kr);
	cert_keydir_free(&kd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_roots),
		cmocka_unit_test(test_reference_proofs),
		cmocka_unit_test(test_all_proofs),
		cmocka_unit_test(test_tree_matches_array),
		cmocka_unit_test(test_go_note_vector),
		cmocka_unit_test(test_checkpoint_roundtrip),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
