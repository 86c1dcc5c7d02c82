/* The exam as delivered: an exam package published by item-bank (engine bank, exam definition,
 * candidate views, keys), loaded and verified once per process. There is no other source. */
#include "dlv_int.h"

#include "ib_package.h"
#include "rs_error.h"
#include "rs_util.h"
#include "rs_encode.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A copy, not a pointer: callers may pass a slug that lives in a buffer on their stack. */
static _Thread_local char dlv_slug[48];

const char *dlv_slug_last(void)
{
	return dlv_slug;
}

void dlv_slug_set(const char *slug)
{
	snprintf(dlv_slug, sizeof dlv_slug, "%s", slug ? slug : "");
}

void dlv_exam_free(struct dlv_exam *ex)
{
	if (!ex)
		return;
	ib_package_free(ex->pkg); /* owns exam, bank and engine */
	if (ex->content) {
		for (size_t i = 0; i < ex->n; i++)
			json_decref(ex->content[i].view);
	}
	free(ex->content);
	free(ex);
}

/* Exam packages loaded by this process: immutable, so kept for the process's life. */
#define DLV_PKG_MAX 64
static pthread_mutex_t dlv_pkg_mu = PTHREAD_MUTEX_INITIALIZER;
static struct dlv_exam *dlv_pkgs[DLV_PKG_MAX];
static size_t dlv_npkgs;

int dlv_exam_from_package(struct dlv_exam **out, struct ib_package *pkg)
{
	struct dlv_exam *ex = calloc(1, sizeof *ex);
	if (!ex || !(ex->content = calloc(pkg->n ? pkg->n : 1, sizeof *ex->content))) {
		free(ex);
		ib_package_free(pkg);
		return RS_ENOMEM;
	}
	ex->pkg = pkg;
	ex->exam = pkg->exam_def;
	ex->bank = pkg->bank;
	ex->eng = pkg->eng;
	ex->n = pkg->n;
	for (size_t i = 0; i < pkg->n; i++) {
		ex->content[i].key = pkg->keys[i];
		ex->content[i].view = json_incref(pkg->views[i]);
	}
	snprintf(ex->exam_version, sizeof ex->exam_version, "%s", pkg->exam_version);
	snprintf(ex->bank_version, sizeof ex->bank_version, "%s", pkg->bank_version);
	ex->package_id = pkg->id;
	snprintf(ex->package_sha256, sizeof ex->package_sha256, "%s", pkg->sha256);
	*out = ex;
	return 0;
}

int dlv_exam_for(const struct dlv_exam **out, rs_db *db, int64_t package_id, const char *sha256_hex)
{
	if (package_id <= 0) {
		/* Delivery has no other source than a package: a sitting without one (from before
		 * packages) is refused, in both languages, never served from files. */
		dlv_slug_set("no-package");
		rs_error_msg("packages.sitting_none", NULL);
		return RS_ESTATE;
	}
	const struct dlv_exam *found = NULL;
	int rc = 0;
	pthread_mutex_lock(&dlv_pkg_mu);
	for (size_t i = 0; i < dlv_npkgs && !found; i++)
		if (dlv_pkgs[i]->package_id == package_id)
			found = dlv_pkgs[i];
	if (!found) {
		/* Loaded under the lock: a package is read and verified once per process. */
		struct ib_package *pkg = NULL;
		struct dlv_exam *ex = NULL;
		if ((rc = ib_package_load(&pkg, db, package_id)) == 0 && (rc = dlv_exam_from_package(&ex, pkg)) == 0) {
			if (dlv_npkgs < DLV_PKG_MAX) {
				dlv_pkgs[dlv_npkgs++] = ex;
			} else {
				/* Entries serve sittings in flight and are never evicted. */
				rs_error_set("more than %d exam packages in one process", DLV_PKG_MAX);
				dlv_exam_free(ex);
				ex = NULL;
				rc = RS_ETOOBIG;
			}
			found = ex;
		}
	}
	pthread_mutex_unlock(&dlv_pkg_mu);
	if (rc)
		return rc;
	if (sha256_hex && strcmp(sha256_hex, found->package_sha256) != 0) {
		rs_error_msg("packages.corrupt", sha256_hex, found->package_sha256, NULL);
		return RS_ECRYPTO;
	}
	*out = found;
	return 0;
}

int dlv_exam_package(const struct dlv_exam **out, rs_db *db, int64_t package_id)
{
	return dlv_exam_for(out, db, package_id, NULL);
}

const char *dlv_exam_code(const struct dlv_exam *ex)
{
	return ex->exam->id;
}

int dlv_exam_time_limit(const struct dlv_exam *ex)
{
	return ex->exam->time_limit_s;
}

size_t dlv_exam_items(const struct dlv_exam *ex)
{
	return ex->n;
}

int dlv_exam_key_for_tests(const struct dlv_exam *ex, const char *item_id)
{
	long i = cat_bank_find(ex->bank, item_id);
	return i < 0 ? -1 : ex->content[i].key;
}

int dlv_exam_active(const struct dlv_exam **out, rs_db *db, const char *exam)
{
	long long id = 0;
	int rc = ib_package_active(&id, db, exam);
	if (rc == RS_ENOTFOUND) {
		dlv_slug_set("no-package");
		rs_error_msg("packages.none_active", exam, NULL);
	}
	return rc ? rc : dlv_exam_for(out, db, (int64_t)id, NULL);
}

const struct cat_exam *dlv_exam_def(const struct dlv_exam *ex)
{
	return ex->exam;
}

const struct cat_bank *dlv_exam_bank(const struct dlv_exam *ex)
{
	return ex->bank;
}

const struct cat_engine *dlv_exam_engine(const struct dlv_exam *ex)
{
	return ex->eng;
}

int dlv_exam_key(const struct dlv_exam *ex, size_t i)
{
	return i < ex->n ? ex->content[i].key : -1;
}

int64_t dlv_exam_package_id(const struct dlv_exam *ex)
{
	return ex->package_id;
}

const char *dlv_exam_package_sha256(const struct dlv_exam *ex)
{
	return ex->package_sha256;
}

const char *dlv_exam_exam_version(const struct dlv_exam *ex)
{
	return ex->exam_version;
}

const char *dlv_exam_bank_version(const struct dlv_exam *ex)
{
	return ex->bank_version;
}

int dlv_token_new(char *out)
{
	unsigned char rnd[32];
	if (rs_random_bytes(rnd, sizeof rnd) != 0) {
		rs_error_set("no randomness available");
		return RS_EIO;
	}
	rs_b64url_encode(out, rnd, sizeof rnd);
	out[DLV_TOKEN_LEN] = '\0';
	return 0;
}
