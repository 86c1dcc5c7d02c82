/* item-bank: exam packages — the one hand-over from the bank to delivery. A package is an
 * immutable document published from the bank's operational and pretest items of one exam
 * with their active parameters: the engine bank (with Sympson-Hetter parameters), the
 * candidate views of every item in Japanese and English (stem, options, the shared scenario;
 * no key, no rationale), the keys, the exam definition it was bound to, the publisher and
 * the time. Its SHA-256 over the whole document is stored beside it and checked at every
 * load: a corrupt or partial package is never served. Stored in bank.packages
 * (deploy/migrations/0021_bank_packages.sql); SQL in item-bank/store_package.c. */
#ifndef IB_PACKAGE_H
#define IB_PACKAGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cat.h"
#include "rs_db.h"

#define IB_PACKAGE_MAX_BYTES ((size_t)256 << 20) /* one package document */
#define IB_PACKAGE_FORMAT "riss-exam-package"

/* A package loaded and verified: what delivery serves. */
struct ib_package {
	long long id;
	char exam[17];             /* exam code, e.g. "SG" */
	char sha256[65];           /* hex of the document's SHA-256 */
	char exam_version[17], bank_version[17]; /* the engine's hashes (hex) */
	struct cat_exam *exam_def;
	struct cat_bank *bank;
	struct cat_engine *eng;    /* exam_def bound to bank */
	json_t **views;            /* per bank item: {"item_id","part","stem","options","scenario"?} */
	int *keys;                 /* per bank item: the correct option 0..3 (never sent to a candidate) */
	size_t n;                  /* bank->n */
};

/* Parse and verify a package document: its SHA-256 must equal sha256_hex (RS_ECRYPTO
 * otherwise), the format must be ours, the engine must accept the exam and the bank and
 * bind them, and every bank item must have a view and a key (RS_EINVAL). *out is new
 * (ib_package_free). */
int ib_package_parse(struct ib_package **out, const char *doc, size_t len, const char *sha256_hex);
void ib_package_free(struct ib_package *p);

/* SHA-256 of len bytes as 64 hex digits (out: 65 bytes). */
void ib_package_sha256_hex(char *out, const void *data, size_t len);

/* ---------------------------------------------------------------------------------- */
/* Publication                                                                        */

struct ib_publish_opts {
	const char *exam_text;     /* the exam definition (docs/exam-format.md), bound as is */
	size_t exam_len;
	size_t sh_examinees;       /* Sympson-Hetter: simulated candidates per round (0: 1000) */
	int sh_rounds;             /*   at most this many rounds (0: 6) */
	uint64_t sh_seed;          /*   seed (0: 1) */
	int strict;                /* refuse also when the exposure target cannot be met */
};

struct ib_publish_result {
	long long id;
	char sha256[65];
	char bank_version[17];
	size_t items, operational, pretest;
	json_t *skipped;           /* ids of pretest items left out (no parameters yet); owned */
	struct cat_feasibility feasibility; /* of the exposure target under the blueprint */
	struct cat_sh_outcome sh;
};
void ib_publish_result_clear(struct ib_publish_result *r);

/* Publish a package of the exam's operational and pretest items (pretest items without
 * parameters are left out and listed). Refused with RS_EINVAL and a catalogue message
 * (packages.*) naming the cause: an item whose domain the exam does not have, an
 * operational item without parameters, a blueprint the items cannot satisfy (the domain
 * named), with strict an exposure target the bank cannot meet (the thinnest domain named).
 * The item text and keys are read as staff (RS_EPERM for others); the read and the
 * publication are audited (bank.package.publish) in the transaction that stores it. */
int ib_package_publish(struct ib_publish_result *out, rs_db *db, const char *actor, const char *role,
                       const struct ib_publish_opts *o, const char *request_id);

/* The definition of exam code (the exam_definition setting, default exam-engine/exams/sg.json,
 * relative to the working directory or else the source tree) into *out (len bytes, owned,
 * free()). RS_ENOTFOUND with packages.exam_unknown when that file is another exam's. */
int ib_package_exam_definition(char **out, size_t *out_len, const char *code);
/* ib_package_publish with the configured definition of exam code (the staff route). */
int ib_package_publish_exam(struct ib_publish_result *out, rs_db *db, const char *actor, const char *role,
                            const char *code, int strict, const char *request_id);

/* ---------------------------------------------------------------------------------- */
/* Lifecycle and reads                                                                */

/* {"packages": [{"id","exam","sha256","items","created_at","state","publisher",
 * "activated_at","retired_at","superseded_at"}]} newest first; exam NULL = all. *out new. */
int ib_package_list(json_t **out, rs_db *db, const char *exam);
/* Compare package a with package b (both verified): {"from","to","added": [ids],
 * "removed": [ids], "parameters_changed": [{"id","from": {model,a,b,c,sh_k},"to": {...}}],
 * "content_changed": [ids whose view or key differ], "exam_changed": bool}. */
int ib_package_compare(json_t **out, rs_db *db, long long a, long long b);
/* What a package holds, without item text or keys (so not an audited read): {"id","exam",
 * "sha256","state","publisher","created_at","activated_at","retired_at","superseded_at","exam_version",
 * "bank_version","items","operational","pretest","models": {name: n},"definition": {"title",
 * "version","time_limit_s","min_items","max_items","pretest_items"},"parts": [{"name","min",
 * "max","trial","operational","pretest"}],"domains": [{"name","part","min","max",
 * "operational","pretest"}],"exposure": {"method","target","randomesque_k","sh_k_min",
 * "sh_k_mean","sh_k_max","sh_k_below_1","rounds","max_exposure","reached"}}. Verified first
 * (RS_ECRYPTO when corrupt); RS_ENOTFOUND. *out new. */
int ib_package_summary(json_t **out, rs_db *db, long long id);
/* Make package id (published) the exam's active package (the one new windows use); the
 * previously active one becomes superseded: windows that name it keep it, it is not retired.
 * RS_ESTATE for a package that is already active, superseded or retired; RS_ENOTFOUND.
 * Verified before activation (RS_ECRYPTO when corrupt). Audited (bank.package.activate,
 * bank.package.supersede). */
int ib_package_activate(rs_db *db, const char *actor, const char *role, long long id, const char *request_id);
/* Retire a package (no new window or sitting may use it). Audited. */
int ib_package_retire(rs_db *db, const char *actor, const char *role, long long id, const char *request_id);
/* The exam's active package id (RS_ENOTFOUND when none). */
int ib_package_active(long long *out_id, rs_db *db, const char *exam);
/* The state of package id ("published", "active", "superseded", "retired") into out (16 bytes). */
int ib_package_state(char *out, rs_db *db, long long id);
/* Load and verify package id (ib_package_parse). */
int ib_package_load(struct ib_package **out, rs_db *db, long long id);
/* A staff read of a package's items: {"id","exam","sha256","items": [{view..., "key"?}]}
 * with keys when with_keys. Staff only (RS_EPERM); audited (bank.package.read). */
int ib_package_read(json_t **out, rs_db *db, const char *actor, const char *role, long long id, int with_keys,
                    const char *request_id);

#endif
