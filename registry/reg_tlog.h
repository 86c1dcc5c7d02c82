/* registry: transparency log — RFC 9162 Merkle tree hashing, inclusion and consistency
 * proofs (generate and verify), and C2SP tlog-checkpoint signed notes (Ed25519). */
#ifndef REG_TLOG_H
#define REG_TLOG_H

#include <stddef.h>
#include <stdint.h>

#include "cert_keys.h"

#define REG_HASH_LEN 32
#define REG_PROOF_MAX 128       /* longest proof of a tree below 2^64 leaves, with room */
#define REG_NOTE_MAX 16384      /* bound on a signed note we parse */
#define REG_NOTE_NAME_MAX 256

typedef uint8_t reg_hash[REG_HASH_LEN];

/* Leaf hash: SHA-256(0x00 || data). */
void reg_tlog_leaf_hash(reg_hash out, const void *data, size_t len);
/* Interior node hash: SHA-256(0x01 || left || right). */
void reg_tlog_node_hash(reg_hash out, const reg_hash left, const reg_hash right);
/* Merkle Tree Hash of n leaf hashes; SHA-256("") when n is 0. */
void reg_tlog_root(reg_hash out, const reg_hash *leaves, uint64_t n);

/* Inclusion proof (RFC 9162 §2.1.3.1) of leaf index in the tree of the n leaves given.
 * Writes at most cap hashes to out. Returns 0, RS_ERANGE (index >= n) or RS_ETOOBIG. */
int reg_tlog_inclusion_proof(reg_hash *out, size_t *out_n, size_t cap, uint64_t index,
                             const reg_hash *leaves, uint64_t n);
/* Verify an inclusion proof (RFC 9162 §2.1.3.2). Returns 0 or RS_ECRYPTO. */
int reg_tlog_verify_inclusion(uint64_t index, uint64_t size, const reg_hash leaf,
                              const reg_hash *proof, size_t proof_n, const reg_hash root)
	__attribute__((warn_unused_result));
/* Consistency proof (RFC 9162 §2.1.4.1) between the first m leaves and all n. Returns 0
 * or RS_ERANGE (m == 0 or m > n) or RS_ETOOBIG. */
int reg_tlog_consistency_proof(reg_hash *out, size_t *out_n, size_t cap, uint64_t m,
                               const reg_hash *leaves, uint64_t n);
/* Verify a consistency proof (RFC 9162 §2.1.4.2). Returns 0 or RS_ECRYPTO. */
int reg_tlog_verify_consistency(uint64_t m, uint64_t n, const reg_hash *proof, size_t proof_n,
                                const reg_hash root_m, const reg_hash root_n)
	__attribute__((warn_unused_result));

/* Where proofs get subtree hashes from: range(ctx, out, lo, hi) writes MTH(D[lo:hi]) for
 * 0 <= lo < hi <= size and returns 0 or a negative RS_E* code. The array form computes
 * them from all leaf hashes (O(n)); reg_tlog_tree stores every complete subtree (O(log n));
 * a database store can answer from its own table of subtree hashes. */
struct reg_tlog_src {
	int (*range)(void *ctx, reg_hash out, uint64_t lo, uint64_t hi);
	void *ctx;
};

/* Tree head of the first size leaves of src. */
int reg_tlog_src_root(reg_hash out, const struct reg_tlog_src *src, uint64_t size);
/* Inclusion / consistency proofs as above, from any source of subtree hashes. */
int reg_tlog_src_inclusion_proof(reg_hash *out, size_t *out_n, size_t cap, const struct reg_tlog_src *src,
                                 uint64_t index, uint64_t size);
int reg_tlog_src_consistency_proof(reg_hash *out, size_t *out_n, size_t cap,
                                   const struct reg_tlog_src *src, uint64_t m, uint64_t size);

/* An append-only in-memory tree keeping the hash of every complete subtree: appends,
 * roots of any earlier size and proofs cost O(log n) hashes. Zero-initialise it; free
 * with reg_tlog_tree_free. */
struct reg_tlog_tree {
	reg_hash *lv[64];     /* lv[k][i] = MTH of leaves [i*2^k, (i+1)*2^k) */
	uint64_t cap[64];     /* allocated entries per level */
	uint64_t n;           /* leaves appended */
};
/* Append one leaf hash. Returns 0 or RS_ENOMEM. */
int reg_tlog_tree_append(struct reg_tlog_tree *t, const reg_hash leaf);
/* MTH(D[lo:hi]). Returns 0 or RS_ERANGE. */
int reg_tlog_tree_range(reg_hash out, const struct reg_tlog_tree *t, uint64_t lo, uint64_t hi);
/* The tree as a proof source (t must outlive it). */
struct reg_tlog_src reg_tlog_tree_src(struct reg_tlog_tree *t);
void reg_tlog_tree_free(struct reg_tlog_tree *t);

/* Verifier key of a signed note: "<name>+<8 hex key hash>+<base64(0x01 || pub)>" into out
 * (cap bytes). The key hash is SHA-256(name || "\n" || 0x01 || pub)[:4]. */
int reg_note_vkey(char *out, size_t cap, const char *name, const uint8_t pub[CERT_PUB_LEN]);

/* A checkpoint: origin, tree size, root hash. */
struct reg_checkpoint {
	char origin[REG_NOTE_NAME_MAX];
	uint64_t size;
	reg_hash root;
};

/* Sign a checkpoint as a C2SP signed note: body "<origin>\n<size>\n<base64 root>\n", a
 * blank line, then "— <key_name> <base64(key hash || signature)>\n". The signature is
 * made by kid through signer; pub is kid's public key (for the key hash). *out_note is
 * NUL-terminated and the caller's. */
int reg_checkpoint_sign(char **out_note, const struct reg_checkpoint *cp, const char *key_name,
                        const uint8_t pub[CERT_PUB_LEN], const char *kid,
                        const struct cert_signer *signer);
/* Parse a signed checkpoint note (at most REG_NOTE_MAX bytes) and verify its signature by
 * the key vkey (reg_note_vkey form). When expected_origin is not NULL the origin line
 * must equal it. Returns 0, RS_ETOOBIG, RS_EPARSE or RS_ECRYPTO (no valid signature by
 * that key) with a message. */
int reg_checkpoint_verify(struct reg_checkpoint *out, const char *note, size_t len,
                          const char *vkey, const char *expected_origin)
	__attribute__((warn_unused_result));
/* Verify just the note signature: *out_text_len gets the length of the signed text
 * (including its final newline). Same returns. */
int reg_note_verify(size_t *out_text_len, const char *note, size_t len, const char *vkey)
	__attribute__((warn_unused_result));

#endif
