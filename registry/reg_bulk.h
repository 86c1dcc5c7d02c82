/* registry: bulk load of demo registrants (riss demo; issue 15). Registrations as the
 * workflow leaves them (an approved application, the registrant with a number from the
 * counter, the status history), many per statement, without credentials. */
#ifndef REG_BULK_H
#define REG_BULK_H

#include <stddef.h>

#include "reg_register.h"
#include "rs_attr.h"
#include "rs_db.h"

struct reg_bulk_person {
	const char *name, *name_kana, *name_latn;
	char date_of_birth[11];
	char exam_result_ref[40];     /* the passed result it rests on (loose reference) */
	char exam_pass_date[11];
	char reg_date[11];            /* 1 April or 1 October */
	char valid_from[11];          /* start of the current validity (reg_date + 3 years per renewal) */
	int renewal_count;
	const char *status;           /* active, lapsed or cancelled */
	char status_at[11];           /* day the status was reached (lapsed: the day after valid_until) */
	const char *status_reason;    /* "" for active */
	struct rs_attrs attrs;        /* statistical attributes, each may be NULL */
};

/* Register the n people in one transaction (audited once as registry.demo.load); their
 * numbers into out_regno (n entries). 0 or the database error (nothing written). */
int reg_bulk_load(char (*out_regno)[REG_REGNO_LEN + 1], rs_db *db, const struct reg_bulk_person *p, size_t n);

#endif
