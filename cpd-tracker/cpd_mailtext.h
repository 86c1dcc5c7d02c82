/* cpd-tracker: the text of a reminder mail from the catalogue (private to cpd-tracker). */
#ifndef CPD_MAILTEXT_H
#define CPD_MAILTEXT_H

#include "cpd_renewal.h"

#define CPD_MAIL_SUBJECT_MAX 300
#define CPD_MAIL_BODY_MAX 2000

/* Subject and body of reminder m for regno in English (en) or Japanese, written on today
 * (the days left are counted from it), linking to site_url. */
void cpd_mail_text(char subject[CPD_MAIL_SUBJECT_MAX], char body[CPD_MAIL_BODY_MAX], int en,
                   const struct cpd_reminder *m, const char *regno, struct cpd_date today,
                   const char *site_url);

#endif
