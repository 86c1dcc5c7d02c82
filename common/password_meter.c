/* The password strength meter (ASVS 2.1.8; issue 17, sec3): rs_password_acceptable decides,
 * the length beyond the minimum grades. */
#include "rs_password.h"

#include "rs_error.h"

#include <string.h>

int rs_password_strength(int *out_score, const char *password, const char *const *personal)
{
	int rc = rs_password_acceptable(password, personal);
	if (rc == RS_EINVAL) {
		*out_score = 0;
		return RS_EINVAL;
	}
	if (rc != 0)
		return rc;
	size_t len = rs_password_chars(password);
	*out_score = 2 + (len >= RS_PASSWORD_STRONG) + (len >= RS_PASSWORD_VERY_STRONG);
	return 0;
}
