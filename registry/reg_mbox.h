/* registry: e-mail addresses a registrant confirmed at /me — the identities by which a
 * training provider's LMS names the registrant in xAPI statements (actor mbox or
 * mbox_sha1sum). An address is added (pending, with a one-time code the caller mails to it)
 * and confirmed by the registrant typing or following that code while signed in. */
#ifndef REG_MBOX_H
#define REG_MBOX_H

#include <stddef.h>

#include <jansson.h>

#include "reg_account.h"
#include "reg_register.h"
#include "reg_workflow.h"
#include "rs_db.h"

#define REG_MBOX_PER_REGISTRANT 5   /* addresses (pending or confirmed) per registrant */
#define REG_MBOX_CODE_HOURS 24      /* a confirmation code works this long */
#define REG_MBOX_ATTEMPTS 5         /* wrong codes before a pending code is used up */

/* The stored form of an address typed by a person or sent as an xAPI mbox: an optional
 * "mailto:" prefix dropped, lower case, then reg_email_valid. 0, or RS_EINVAL (catalogue
 * message xapi.mbox.bad). */
int reg_mbox_normalise(char out[REG_EMAIL_MAX], const char *in);
/* The xAPI mbox_sha1sum of a stored address: lower-case hex SHA-1 of "mailto:<address>". */
void reg_mbox_sha1(char out[41], const char *address);

/* Add address (any case, "mailto:" allowed) to regno's addresses as pending with a new
 * one-time code (replacing an earlier code of the same address), valid REG_MBOX_CODE_HOURS;
 * only the code's hash is stored. out_code gets "XXXX-XXXX-XXXX" (the caller mails it to
 * out_address, the stored form). RS_ENOTFOUND (no registrant), RS_EINVAL (bad address),
 * RS_ESTATE (cancelled or deregistered, already confirmed, or REG_MBOX_PER_REGISTRANT
 * addresses already). Audited. */
int reg_mbox_add(char out_code[REG_ACTIVATION_CODE_LEN + 1], char out_address[REG_EMAIL_MAX], rs_db *db,
                 const char *regno, const char *address, const struct reg_actor *who);
/* Confirm the pending address of regno whose code this is (any case, spaces and dashes
 * anywhere): from then it identifies regno. out_address gets the address. RS_EAUTH (wrong,
 * expired or used-up code: one message for all; a wrong code counts against every pending
 * code of regno), RS_ESTATE (the address is confirmed for another registration). Audited. */
int reg_mbox_confirm(char out_address[REG_EMAIL_MAX], rs_db *db, const char *regno, const char *code,
                     const struct reg_actor *who);
/* reg_mbox_confirm, and then(db, ctx, regno, address) inside the same transaction once the
 * address is confirmed (not on a wrong code): what then does commits with the confirmation
 * or, when it fails (its error is the answer), neither does. cpd-tracker credits the
 * statements stored before the confirmation this way (cpd_xapi_mbox_confirm). */
int reg_mbox_confirm_then(char out_address[REG_EMAIL_MAX], rs_db *db, const char *regno, const char *code,
                          const struct reg_actor *who,
                          int (*then)(rs_db *db, void *ctx, const char *regno, const char *address), void *ctx);
/* Remove one of regno's addresses (pending or confirmed): statements with it credit nobody
 * from then. RS_ENOTFOUND. Audited. */
int reg_mbox_remove(rs_db *db, const char *regno, const char *address, const struct reg_actor *who);
/* regno's addresses, oldest first: *out (caller owns) is [{"address", "state": "pending" |
 * "confirmed", "added_at", "confirmed_at" (or null), "mbox_sha1sum"}]. */
int reg_mbox_list(json_t **out, rs_db *db, const char *regno);

/* Who n xAPI actors are: addr[i] a stored-form address (from an mbox) or sha1[i] a lower-case
 * hex mbox_sha1sum, either NULL; out_regno[i] gets the registration number whose confirmed
 * address it is, or "". One statement; runs in the caller's transaction. */
int reg_mbox_resolve(char (*out_regno)[REG_REGNO_LEN + 1], rs_db *db, const char *const *addr,
                     const char *const *sha1, size_t n);

#endif
