/* rissd: shared by the renewal handlers (web/me.c, web/cpd_desk.c). Private to web/. */
#ifndef WEB_RENEWAL_H
#define WEB_RENEWAL_H

#include "web.h"

/* Map a renewal/registry error to its problem: RS_EINVAL 400, RS_ENOTFOUND 404, RS_EEXIST
 * and RS_ESTATE 409, RS_EAUTH 401, the signer away 503; the detail is the recorded error in
 * the caller's language. */
enum MHD_Result web_renewal_fail(struct web_request *req, int rc);

#endif
