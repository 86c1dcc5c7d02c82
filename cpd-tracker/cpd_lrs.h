/* cpd-tracker: the Learning Record Store's frame (xAPI 1.0.3) over schema xapi — providers'
 * xAPI credentials, the document resources (State, Activity Profile, Agent Profile), the
 * Activity definitions merged from statements, and the Agents resource. Statements are in
 * cpd_xapi*.h (another part of the module). */
#ifndef CPD_LRS_H
#define CPD_LRS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rs_db.h"

/* ==== credentials ==== */

#define CPD_LRS_USER_LEN 20      /* "rxu_" + 16 hex */
#define CPD_LRS_PASS_LEN 47      /* "rxp_" + 43 base64url (256 bits) */

/* The provider behind an HTTP Basic credential of /xapi/. */
struct cpd_lrs_principal {
	int64_t provider_id;
	char username[CPD_LRS_USER_LEN + 1];
};

/* <base_url>/xapi/ into out (n bytes): the endpoint, and the homePage of the authority's
 * account. */
void cpd_lrs_endpoint(char *out, size_t n, const char *base_url);
/* Add "endpoint": <base_url>/xapi/ to the "xapi" member of a cpd_provider_add answer (where
 * the provider points its LMS); nothing when out has no such member. */
void cpd_lrs_endpoint_set(json_t *out, const char *base_url);
/* Issue a new credential for provider_id inside the caller's transaction (any earlier one
 * is revoked). *out (caller owns): {"username", "password"} — the password is shown only
 * now and stored as its SHA-256. */
int cpd_lrs_cred_issue_in_tx(json_t **out, rs_db *db, int64_t provider_id);
/* Check username/password: RS_EAUTH when malformed, unknown, revoked or the provider is
 * suspended; RS_EUNAVAIL/RS_EDB when the database is away. Verified credentials are kept in
 * a small per-process cache for 10 s (a hit still checks the password's hash). */
int cpd_lrs_auth(struct cpd_lrs_principal *out, rs_db *db, const char *username, const char *password)
	__attribute__((warn_unused_result));

/* ==== agents and documents ==== */

#define CPD_LRS_AGENT_KEY_MAX 2100

/* The inverse functional identifier of an Agent (or identified Group) object as one string
 * ("mbox:mailto:a@b", "mbox_sha1sum:<hex>", "openid:<uri>", "account:<homePage> <name>").
 * RS_EINVAL (message recorded) when agent is not a valid Agent with exactly one IFI. */
int cpd_lrs_agent_key(char out[CPD_LRS_AGENT_KEY_MAX + 1], const json_t *agent);
/* True when s is an absolute IRI as the statements' cpd_xapi_is_iri says (cpd_xapi.h) and at
 * most 2048 bytes: the ids the frame's resources take as parameters. */
int cpd_lrs_iri_ok(const char *s);
/* Parse an ISO 8601 timestamp (xAPI form) into microseconds since the epoch: 0 or RS_EINVAL. */
int cpd_lrs_time_parse(int64_t *out_us, const char *s);

enum cpd_lrs_kind { CPD_LRS_STATE = 0, CPD_LRS_ACTIVITY_PROFILE = 1, CPD_LRS_AGENT_PROFILE = 2 };

/* The key of one document, or of a set of them when doc_id is NULL. */
struct cpd_lrs_doc_key {
	enum cpd_lrs_kind kind;
	int64_t provider_id;
	const char *activity_id;     /* state, activity profile; else NULL */
	const char *agent_key;       /* state, agent profile (cpd_lrs_agent_key); else NULL */
	const char *registration;    /* state only, a UUID or NULL */
	const char *doc_id;          /* stateId / profileId, or NULL for the whole set */
};

/* A stored document (caller frees content with free()). */
struct cpd_lrs_doc {
	char *content;
	size_t len;
	char content_type[201];
	char etag[41];               /* SHA-1 hex */
	char updated[40];            /* ISO 8601 UTC */
};
void cpd_lrs_doc_free(struct cpd_lrs_doc *d);

/* Preconditions of a write (each NULL when the header was absent). */
struct cpd_lrs_cond {
	const char *if_match;        /* an ETag (quoted or not), a list, or "*" */
	const char *if_none_match;   /* "*" or ETags */
	int require;                 /* a PUT must bring one of them (profiles) */
};

enum cpd_lrs_write { CPD_LRS_PUT = 0, CPD_LRS_POST = 1 };

/* Store a document: PUT replaces, POST merges JSON objects one level deep (both must be JSON
 * objects when one exists; RS_EINVAL otherwise). RS_ESTATE (HTTP 412) when If-Match /
 * If-None-Match fails; when cond->require and neither header came, RS_EEXIST (HTTP 409) if
 * the document exists and RS_EINVAL (400) if not.
 * One transaction. */
int cpd_lrs_doc_write(rs_db *db, const struct cpd_lrs_doc_key *k, enum cpd_lrs_write how, const char *ctype,
                      const char *body, size_t len, const struct cpd_lrs_cond *cond);
/* The document of k (doc_id set): RS_ENOTFOUND when none. */
int cpd_lrs_doc_get(struct cpd_lrs_doc *out, rs_db *db, const struct cpd_lrs_doc_key *k);
/* The ids of the set k (doc_id NULL), changed after since_us (0: all), as a JSON array. */
int cpd_lrs_doc_ids(json_t **out, rs_db *db, const struct cpd_lrs_doc_key *k, int64_t since_us);
/* Delete the document of k, or the whole set when doc_id is NULL (a state DELETE without
 * stateId). Preconditions as for a write (If-Match only). Deleting nothing is fine. */
int cpd_lrs_doc_delete(rs_db *db, const struct cpd_lrs_doc_key *k, const struct cpd_lrs_cond *cond);

/* The JSON merge of a document POST (pure): *out (caller owns) is old with new's top-level
 * members set over it. RS_EINVAL when either text is not a JSON object (max bytes each). */
int cpd_lrs_merge(char **out, size_t *out_len, const char *old, size_t old_len, const char *add, size_t add_len,
                  size_t max);
/* SHA-1 of data in hex (an ETag). */
void cpd_lrs_etag(char out[41], const char *data, size_t len);

/* ==== activities (the Activities resource) ==== */

/* Merge an Activity definition a statement carried into the stored one, inside the caller's
 * transaction (the statements part calls this for every Activity it stores, object and
 * context activities alike; def may be NULL: the id alone is recorded). Language maps
 * (name, description) are merged per language; other members are replaced. */
int cpd_lrs_activity_merge_in_tx(rs_db *db, int64_t provider_id, const char *activity_id, const json_t *def);
/* The Activity object {"objectType": "Activity", "id", "definition"?}; RS_ENOTFOUND when
 * the provider's statements never named it. *out caller owns. */
int cpd_lrs_activity_get(json_t **out, rs_db *db, int64_t provider_id, const char *activity_id);

/* The Person object of the Agents resource for agent (a validated Agent object): its
 * identifiers as arrays. *out caller owns. */
int cpd_lrs_person(json_t **out, const json_t *agent);

/* ==== providers' keys for signed statements (xapi.signing_keys, 0061) ==== */

#define CPD_LRS_KEYS_MAX 8       /* registered keys per provider */
#define CPD_LRS_JWK_MAX 16384    /* bytes of a JWK's text */

/* An RSA public key read from a JWK (pure). */
struct cpd_lrs_jwk {
	unsigned char *spki;         /* DER SubjectPublicKeyInfo (cpd_lrs_jwk_free) */
	size_t spki_len;
	int bits;
	char thumbprint[44];         /* RFC 7638, base64url */
	char kid[129];               /* the JWK's kid, else the thumbprint */
};
/* Read text[0..len) (at most CPD_LRS_JWK_MAX bytes) as an RSA public JWK {"kty": "RSA",
 * "n", "e", "kid"?} of 2048 to 8192 bits; a JWK with private members (d, p, q) is refused.
 * 0, or RS_EINVAL with an xapi.key.* message. */
int cpd_lrs_jwk_read(struct cpd_lrs_jwk *out, const char *text, size_t len);
void cpd_lrs_jwk_free(struct cpd_lrs_jwk *k);

struct cpd_actor;
/* Register an RSA public key (a JWK {"kty": "RSA", "n", "e", "kid"?}, 2048 to 8192 bits; a
 * JWK with private members is refused) for provider_id's signed statements. Its kid is the
 * JWK's kid, else its RFC 7638 thumbprint. *out (caller owns): {"provider_id", "kid",
 * "thumbprint", "bits"}. RS_EINVAL (xapi.key.* message), RS_ENOTFOUND (no such provider), RS_EEXIST
 * (that kid or key is registered), RS_ESTATE (CPD_LRS_KEYS_MAX keys). Audited. */
int cpd_lrs_key_set(json_t **out, rs_db *db, const struct cpd_actor *who, int64_t provider_id, const char *jwk_text);
/* {"provider_id", "keys": [{"kid", "thumbprint", "bits", "created_at", "created_by"}]}. */
int cpd_lrs_key_list(json_t **out, rs_db *db, int64_t provider_id);
/* Remove a key: statements signed with it are then verified against the others (or, with
 * none left, not verified). RS_ENOTFOUND. Audited. */
int cpd_lrs_key_remove(rs_db *db, const struct cpd_actor *who, int64_t provider_id, const char *kid);

/* The keys of one provider, loaded for one request. */
struct cpd_lrs_keyset {
	size_t n;
	char kid[CPD_LRS_KEYS_MAX][129];
	struct evp_pkey_st *key[CPD_LRS_KEYS_MAX];
};
int cpd_lrs_keyset_load(struct cpd_lrs_keyset *out, rs_db *db, int64_t provider_id);
void cpd_lrs_keyset_free(struct cpd_lrs_keyset *k);
/* 0 when sig (RSASSA-PKCS1-v1_5 with md) over input verifies with the key kid (NULL: any
 * key of the set), else RS_EINVAL. */
struct evp_md_st;
int cpd_lrs_keyset_verify(const struct cpd_lrs_keyset *k, const char *kid, const struct evp_md_st *md,
                          const unsigned char *input, size_t len, const unsigned char *sig, size_t sig_len);

#endif
