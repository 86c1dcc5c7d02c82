/* cpd-tracker: reminder mail text, from the catalogue (common/messages/renewal.tsv). */
#include "cpd_mailtext.h"

#include "rs_msg.h"

#include <stdio.h>

void cpd_mail_text(char subject[CPD_MAIL_SUBJECT_MAX], char body[CPD_MAIL_BODY_MAX], int en,
                   const struct cpd_reminder *m, const char *regno, struct cpd_date today,
                   const char *site_url)
{
	char deadline[11], left[24];
	cpd_date_format(deadline, m->deadline);
	snprintf(left, sizeof left, "%ld", cpd_date_days(m->deadline) - cpd_date_days(today));
	const char *args[] = { regno, deadline, left, site_url ? site_url : "", NULL };
	const char *subj = "renewal.mail.subject.duty", *text = "renewal.mail.body.duty";
	if (m->kind == CPD_REMIND_APPLICATION) {
		subj = "renewal.mail.subject.application";
		text = "renewal.mail.body.application";
	} else if (m->kind == CPD_REMIND_OVERDUE) {
		subj = "renewal.mail.subject.overdue";
		text = "renewal.mail.body.overdue";
	} else if (m->kind == CPD_REMIND_EVIDENCE) {
		subj = "renewal.mail.subject.evidence";
		text = "renewal.mail.body.evidence";
	}
	rs_msg_format(subject, CPD_MAIL_SUBJECT_MAX, subj, en, args);
	rs_msg_format(body, CPD_MAIL_BODY_MAX, text, en, args);
}
