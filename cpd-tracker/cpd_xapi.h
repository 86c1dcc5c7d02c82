/* cpd-tracker: the xAPI 1.0.3 Statements resource of the Learning Record Store — statement
 * validation (pure), the multipart/mixed reader (pure), signed statements, and the statement
 * store over schema xapi with the way from a statement to a CPD completion. Part of the
 * module's public face next to cpd.h; the SQL is in xapi_store.c (private, xapi_store.h). */
#ifndef CPD_XAPI_H
#define CPD_XAPI_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "rs_db.h"

#define CPD_XAPI_BATCH_MAX 1000          /* statements per POST */
#define CPD_XAPI_BODY_MAX (16u << 20)    /* bytes of a statements request, attachments included */
#define CPD_XAPI_PARTS_MAX 64            /* parts of a multipart/mixed request */
#define CPD_XAPI_LIMIT_MAX 100           /* statements per GET page */

/* Check one statement as xAPI 1.0.3 says (Data 2.2-2.6, 4): the properties and their
 * types, IRIs, UUIDs, language maps, ISO 8601 timestamps and durations, actor/agent/group
 * rules with exactly one inverse functional identifier, SubStatements, context, result and
 * score ranges, extensions, version, attachments. 0, or RS_EINVAL with a catalogue message
 * (xapi.bad.*) naming the property's path. */
int cpd_xapi_validate(const json_t *stmt) __attribute__((warn_unused_result));

/* True when s is an absolute IRI (a scheme, ':', no spaces or characters IRIs exclude). */
int cpd_xapi_is_iri(const char *s);
/* True when s is a UUID (8-4-4-4-12 hex digits). */
int cpd_xapi_is_uuid(const char *s);
/* Parse an ISO 8601 timestamp as xAPI allows it into microseconds since 1970 (UTC).
 * 0 or RS_EINVAL. */
int cpd_xapi_time_parse(int64_t *out_us, const char *s);

/* One part of a multipart/mixed body (pointers into the body; not NUL-terminated). */
struct cpd_xapi_part {
	const char *ctype;                /* Content-Type value, or NULL */
	size_t ctype_len;
	const char *hash;                 /* X-Experience-API-Hash value, or NULL */
	size_t hash_len;
	const char *enc;                  /* Content-Transfer-Encoding value, or NULL */
	size_t enc_len;
	const char *data;
	size_t len;
};
/* Split body[0..len) of Content-Type ctype (multipart/mixed; boundary=...) into at most
 * max parts (out, *out_n). RS_EINVAL with a message when the body is not well formed
 * (no boundary, no closing delimiter, a part without a blank line after its headers,
 * a header line over 1000 bytes, more than max parts). */
int cpd_xapi_multipart(struct cpd_xapi_part *out, size_t max, size_t *out_n, const char *ctype,
                       const char *body, size_t len);

/* An attachment's content as the request sent it. */
struct cpd_xapi_blob {
	char sha2[129];                   /* lower-case hex SHA-2 */
	char ctype[128];
	const unsigned char *data;        /* borrowed from the request */
	size_t len;
};

/* Who sends: the provider behind the xAPI credentials and the LRS's authority Agent. */
struct cpd_xapi_who {
	int64_t provider_id;
	const json_t *authority;          /* Agent set as "authority" on every statement stored */
	const char *base_url;             /* public base URL: account homePage of registrants */
	const char *actor;                /* "provider:3", for audit and decided_by */
	const char *role;                 /* its audit role; NULL: "provider" */
	const char *request_id;
};

/* Store statements (an array of 1..CPD_XAPI_BATCH_MAX objects, already validated, owned by
 * the caller and changed: id, stored, authority, version are set) with the attachment
 * blobs (nblob). statement_id non-NULL: a PUT of that id (the statement's id must be
 * absent or equal). In one transaction: a statement id that exists with the same content
 * (xAPI statement equality) is left as it is, with other content RS_ECONFLICT; two equal
 * ids in the batch RS_EINVAL; a voiding statement whose target is a voiding statement
 * RS_EINVAL; each attachment without fileUrl must have its blob (RS_EINVAL) and each blob
 * an attachment; signed statements are verified (RS_EINVAL). Completed/passed statements
 * for the provider's courses by registrants become CPD completions (via "xapi",
 * provider_record_id = statement id); voiding one voids its completion; the rest are
 * recorded as unmatched. *out_ids (caller owns): the array of statement ids in order. */
int cpd_xapi_store(json_t **out_ids, rs_db *db, const struct cpd_xapi_who *who, json_t *stmts,
                   const char *statement_id, const struct cpd_xapi_blob *blobs, size_t nblob);

/* A GET of the Statements resource. */
struct cpd_xapi_query {
	const char *statement_id, *voided_statement_id;
	const json_t *agent;              /* parsed agent parameter, or NULL */
	const char *verb, *activity, *registration;
	int related_activities, related_agents;
	int64_t since_us, until_us;       /* 0: none */
	int limit;                        /* 0: CPD_XAPI_LIMIT_MAX */
	const char *format;               /* "exact" (default), "ids", "canonical" */
	const char *accept_language;      /* canonical: the language maps keep the best match */
	int attachments, ascending;
	int64_t after_seq;                /* `more` paging: continue after this position */
	int64_t upto_seq;                 /* the newest position the first page saw (0: none) */
};
/* The answer of a GET. */
struct cpd_xapi_result {
	json_t *body;                     /* one statement (by id) or {"statements": [...], "more": ""} */
	int64_t next_after, next_upto;    /* paging state for `more` (next_after 0: no more) */
	char consistent[40];              /* X-Experience-API-Consistent-Through */
	char last_modified[40];           /* the newest `stored` in the answer (HTTP date), or "" */
	struct cpd_xapi_blob *blobs;      /* attachments=true: the blobs the statements name */
	unsigned char **blob_data;        /* owned copies of the blobs' bytes */
	size_t nblob;
};
void cpd_xapi_result_free(struct cpd_xapi_result *r);
/* Answer q for who's statements. RS_ENOTFOUND for an id that is not there (or voided, or
 * not voided for voided_statement_id); RS_EINVAL for a bad combination. */
int cpd_xapi_query(struct cpd_xapi_result *out, rs_db *db, const struct cpd_xapi_who *who,
                   const struct cpd_xapi_query *q);

/* The provider desk: statements of provider_id that became no completion, newest first,
 * with the reason (a catalogue id): {"unmatched": [{"statement_id", "stored", "verb",
 * "activity", "actor", "reason"}]}. */
int cpd_xapi_unmatched(json_t **out, rs_db *db, int64_t provider_id, int limit);

/* The Person object of the Agents resource for agent (a validated Agent) as provider_id may
 * see it. The privacy rule: a provider only ever learns identifiers it supplied itself.
 * When provider_id's own statements with this agent as actor were credited to a registrant,
 * the Person merges the actors of provider_id's own statements credited to that registrant
 * (at most CPD_XAPI_PERSON_MAX); never an identifier of another provider's statements,
 * never the registry's (a registration number, an address confirmed at /me) unless the
 * provider sent it itself. Otherwise the Person is the agent alone (cpd_lrs_person).
 * *out caller owns. */
#define CPD_XAPI_PERSON_MAX 20
int cpd_xapi_person(json_t **out, rs_db *db, int64_t provider_id, const json_t *agent);

/* ---- e-mail addresses as xAPI identities (registry's reg_mbox.h holds them) ---- */
struct cpd_smtp;
struct reg_actor;
/* A registrant adds address (reg_mbox_add: pending with a one-time code) and the confirmation
 * mail with the code and the link <site_url>/me?mbox_code=<code> goes to it through smtp, in
 * the registrant's language (xapi.mail.mbox.*). out_address gets the stored form. The errors
 * of reg_mbox_add; RS_EUNAVAIL (xapi.mbox.mail_failed) when no SMTP server is set or it did
 * not take the mail (the address stays pending; adding it again mails a new code). */
int cpd_xapi_mbox_add(char out_address[255], rs_db *db, const struct cpd_smtp *smtp, const char *regno,
                      const char *address, const struct reg_actor *who);
/* A registrant confirms an address with the mailed code (reg_mbox_confirm) and, in the same
 * transaction, the statements already stored (by any provider) that were unmatched because
 * nobody had confirmed their actor's mbox or mbox_sha1sum are credited to the registrant as
 * for a new statement (cpd_xapi_rematch_in_tx). *out_credited (may be NULL) gets how many
 * became completions. The errors of reg_mbox_confirm. */
int cpd_xapi_mbox_confirm(char out_address[255], int *out_credited, rs_db *db, const char *regno, const char *code,
                          const char *base_url, const struct reg_actor *who);
/* Inside the caller's transaction, right after address (stored form) was confirmed for regno:
 * every stored, unvoided statement of any provider whose outcome is unmatched for
 * xapi.unmatched.mbox and whose actor is that mbox or its mbox_sha1sum goes the way of a new
 * statement once more (course, hours, the completion path, via "xapi", provider_record_id =
 * statement id); its outcome becomes credited (or unmatched for the new reason). Idempotent: a
 * credited statement is never looked at again. One audit entry cpd.xapi.rematch (object
 * registrant:<regno>) lists the statements credited, when any were looked at. *out_credited:
 * how many became completions. */
int cpd_xapi_rematch_in_tx(int *out_credited, rs_db *db, const char *regno, const char *address,
                           const char *base_url, const char *actor, const char *role, const char *request_id);

/* The scheduled job's sweep (cpd_job_run): a statement stored while its actor's address was
 * being confirmed stays unmatched (neither transaction saw the other's work). Every stored,
 * unvoided statement unmatched for xapi.unmatched.mbox whose mbox or mbox_sha1sum a
 * registrant has confirmed by now goes the way of a new statement, as at a confirmation;
 * pages of 200 statements, each in its own transaction with one audit entry
 * cpd.xapi.rematch (object job:xapi-sweep) when it credited any. Idempotent by statement id.
 * *out_credited (may be NULL): how many became completions. */
int cpd_xapi_rematch_sweep(int *out_credited, rs_db *db, const char *base_url, const char *actor, const char *role);
#endif
