/* cpd-tracker: the text of a reminder or decision mail from the catalogue (private to cpd-tracker). */
#ifndef CPD_MAILTEXT_H
#define CPD_MAILTEXT_H

#include "cpd_renewal.h"

#define CPD_MAIL_SUBJECT_MAX 300
#define CPD_MAIL_BODY_MAX 2000

/* Subject and body of reminder or decision mail m for regno in English (en) or Japanese,
 * written on today (the days left are counted from it), linking to site_url; note (NULL:
 * none) is the registrar's note on a decision. Catalogue arguments: {0} regno, {1} the
 * deadline, {2} days left, {3} site_url, {4} note. */
void cpd_mail_text(char subject[CPD_MAIL_SUBJECT_MAX], char body[CPD_MAIL_BODY_MAX], int en,
                   const struct cpd_reminder *m, const char *regno, const char *note, struct cpd_date today,
                   const char *site_url);

#endif
