/* cpd-tracker: reminder and decision mail text, from the catalogue
 * (common/messages/renewal.tsv). */
#include "cpd_mailtext.h"

#include "rs_msg.h"

#include <stdio.h>

void cpd_mail_text(char subject[CPD_MAIL_SUBJECT_MAX], char body[CPD_MAIL_BODY_MAX], int en,
                   const struct cpd_reminder *m, const char *regno, const char *note, struct cpd_date today,
                   const char *site_url)
{
	static const char *const ids[][2] = {
		[CPD_REMIND_DUTY] = { "renewal.mail.subject.duty", "renewal.mail.body.duty" },
		[CPD_REMIND_APPLICATION] = { "renewal.mail.subject.application", "renewal.mail.body.application" },
		[CPD_REMIND_OVERDUE] = { "renewal.mail.subject.overdue", "renewal.mail.body.overdue" },
		[CPD_REMIND_EVIDENCE] = { "renewal.mail.subject.evidence", "renewal.mail.body.evidence" },
		[CPD_REMIND_APPROVED] = { "renewal.mail.subject.approved", "renewal.mail.body.approved" },
		[CPD_REMIND_REJECTED] = { "renewal.mail.subject.rejected", "renewal.mail.body.rejected" },
	};
	char deadline[11], left[24];
	cpd_date_format(deadline, m->deadline);
	snprintf(left, sizeof left, "%ld", cpd_date_days(m->deadline) - cpd_date_days(today));
	const char *args[] = { regno, deadline, left, site_url ? site_url : "", note ? note : "", NULL };
	size_t k = (size_t)m->kind < sizeof ids / sizeof ids[0] ? (size_t)m->kind : 0;
	rs_msg_format(subject, CPD_MAIL_SUBJECT_MAX, ids[k][0], en, args);
	rs_msg_format(body, CPD_MAIL_BODY_MAX, ids[k][1], en, args);
}
