/* Secrets sealed at rest (issue 17, sec3): AES-256-GCM under a key-encryption key kept in a
 * file outside the database (setting totp_key_file: 32 random bytes, mode 0600, owned by the
 * user of the process). A sealed text is
 *     s1.<key id: 8 hex>.<base64url(nonce 12 | ciphertext | tag 16)>
 * where the key id is the first 4 bytes of SHA-256("riss-seal-key" | key), and the
 * associated data is the text "s1.<key id>." followed by the caller's binding (e.g.
 * "staff.accounts:42"), so a sealed value moved to another row or table does not open.
 * Rotation: the key file's sibling "<file>.next" is a second, newer key; while it exists it
 * seals and both open; rs_seal_rotate_commit renames it over the file. Prefix rs_seal. */
#ifndef RS_SEAL_H
#define RS_SEAL_H

#include <stddef.h>
#include <stdint.h>

#define RS_SEAL_KEY_LEN 32
#define RS_SEAL_PLAIN_MAX 64     /* largest secret sealed */
#define RS_SEAL_TEXT_MAX 160     /* longest sealed text, with its NUL */

/* Load the key file path (and path.next when it exists). Refuses, RS_EINVAL with catalogue
 * message sec3.key_*, a path that is empty, missing, not a regular file of exactly 32 bytes,
 * readable or writable by group or others, or owned by another user (root may use
 * the service user's file). Thread-safe; a second
 * call replaces the keys. */
int rs_seal_keys_load(const char *path);
/* At the start of rissd and riss: load the keys of setting totp_key_file; on refusal print
 * "<prog>: " and the reason in Japanese, then in English, to standard error and return it. */
int rs_seal_startup(const char *prog);
/* Print the last error as rs_seal_startup does (both languages, under "Not starting"). */
void rs_seal_say_refusal(const char *prog);
/* 1 when the key of id (8 hex) is loaded. */
int rs_seal_known(const char *id);
/* Once loaded: the id of the key that seals now (8 hex and NUL). */
void rs_seal_key_id(char out[9]);

/* Seal n bytes (1..RS_SEAL_PLAIN_MAX) of plain bound to binding into out. RS_ESTATE with no
 * key loaded, RS_ECRYPTO when OpenSSL fails. */
int rs_seal(char out[RS_SEAL_TEXT_MAX], const unsigned char *plain, size_t n, const char *binding);
/* Open a sealed text bound to binding into out (cap bytes), *out_n its length. RS_EPARSE when
 * text is not a sealed text, RS_ENOTFOUND when sealed under a key not loaded (after one reload
 * of the key file, so a key rotated by another process is picked up), RS_ECRYPTO when the tag
 * does not match (a changed text, another binding, another key). */
int rs_unseal(unsigned char *out, size_t cap, size_t *out_n, const char *text, const char *binding);
/* 1 when text is sealed under the key that seals now. */
int rs_seal_current(const char *text);
/* Re-sealing (riss db migrate, riss totp rotate-key): a secret of want bytes stored as
 * sealed text (under any key loaded) or, from before sealing, as base32, sealed again under
 * the key that seals now, bound to binding, into out. RS_EPARSE when stored neither opens
 * nor is base32 of want bytes (nothing recorded: the caller names the row); rs_seal's
 * errors. The plain secret is wiped before return. */
int rs_seal_again(char out[RS_SEAL_TEXT_MAX], const char *stored, size_t want, const char *binding);
/* A callback for the stores' walk over the key ids of sealed rows: 0 when the key of id is
 * loaded, else RS_ENOTFOUND with catalogue message sec3.key_unknown (arg is unused). */
int rs_seal_key_loaded(void *arg, const char *id);

/* The decoder (fuzzed by tests/fuzz/rs_seal.c): split text (at most RS_SEAL_TEXT_MAX - 1
 * characters) into its key id (8 hex, NUL) and its blob (nonce | ciphertext | tag, at most
 * cap bytes). RS_EPARSE / RS_ETOOBIG. */
int rs_seal_parse(char key_id[9], unsigned char *blob, size_t cap, size_t *blob_len, const char *text);

/* Rotation, step 1: create path.next (32 fresh random bytes, mode 0600; kept when it exists
 * from an interrupted rotation) and load both keys, the new one sealing. Then the caller
 * re-seals every row in one transaction and, after its commit, calls step 2, which renames
 * path.next over path; the old key stays loaded in this process (and in any that loaded it),
 * so a second pass can re-seal rows a process sealed before it saw the rotation (a process
 * checks the key files before each seal). out_old/out_new get the key ids. */
int rs_seal_rotate_begin(const char *path, char out_old[9], char out_new[9]);
int rs_seal_rotate_commit(const char *path);

#endif
