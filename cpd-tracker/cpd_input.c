/* Readers of completion records: the JSON body and the CSV upload, checked for form with
 * one problem per bad field (pure; the store checks existence and dates against today). */
#include "cpd.h"

#include "rs_error.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cpd_batch_free(struct cpd_batch *b)
{
	if (!b)
		return;
	free(b->rec);
	free(b->bad);
	free(b->prob);
	memset(b, 0, sizeof *b);
}

int cpd_batch_problem(struct cpd_batch *b, size_t i, const char *field, const char *msg, const char *arg,
                      const char *text)
{
	if (b->nprob == b->capprob) {
		size_t cap = b->capprob ? b->capprob * 2 : 16;
		struct cpd_problem *np = realloc(b->prob, cap * sizeof *np);
		if (!np) {
			rs_error_set("out of memory");
			return RS_ENOMEM;
		}
		b->prob = np;
		b->capprob = cap;
	}
	struct cpd_problem *p = &b->prob[b->nprob++];
	memset(p, 0, sizeof *p);
	p->index = i;
	p->line = i < b->n ? b->rec[i].line : 0;
	p->field = field;
	p->msg = msg;
	snprintf(p->arg, sizeof p->arg, "%s", arg ? arg : "");
	snprintf(p->text, sizeof p->text, "%s", text);
	if (i < b->n)
		b->bad[i] = 1;
	return 0;
}

static int cpd_batch_alloc(struct cpd_batch *b, size_t n)
{
	memset(b, 0, sizeof *b);
	b->rec = calloc(n ? n : 1, sizeof *b->rec);
	b->bad = calloc(n ? n : 1, 1);
	if (!b->rec || !b->bad) {
		cpd_batch_free(b);
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	return 0;
}

/* A value shown back to the sender in a problem: at most 40 bytes, control characters
 * replaced, never a cut UTF-8 sequence. */
static void cpd_shown(char out[72], const char *v, size_t len)
{
	size_t n = len > 40 ? 40 : len;
	while (n > 0 && n < len && ((unsigned char)v[n] & 0xC0) == 0x80)
		n--;
	size_t o = 0;
	for (size_t i = 0; i < n; i++)
		out[o++] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? '?' : v[i];
	out[o] = '\0';
}

static int cpd_code_ok(const char *v, size_t len)
{
	if (len < 1 || len > 40)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = v[i];
		int alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return 0;
	}
	return 1;
}

/* Parse hours text "2", "1.5", "10.0": > 0, <= 100, at most one decimal. */
static int cpd_hours_text(int *out, const char *v, size_t len)
{
	int whole = 0, tenth = 0, digits = 0;
	size_t i = 0;
	for (; i < len && v[i] >= '0' && v[i] <= '9'; i++) {
		if (++digits > 3)
			return -1;
		whole = whole * 10 + (v[i] - '0');
	}
	if (digits == 0)
		return -1;
	if (i < len && v[i] == '.') {
		i++;
		if (i >= len || v[i] < '0' || v[i] > '9')
			return -1;
		tenth = v[i++] - '0';
	}
	if (i != len)
		return -1;
	int h = whole * 10 + tenth;
	if (h < 1 || h > 1000)
		return -1;
	*out = h;
	return 0;
}

enum cpd_col { CPD_COL_ID, CPD_COL_REGNO, CPD_COL_COURSE, CPD_COL_DATE, CPD_COL_HOURS, CPD_COL_CORR, CPD_NCOLS };
static const char *const cpd_col_names[CPD_NCOLS] = {
	"provider_record_id", "regno", "course_code", "completed_on", "hours", "correction",
};

/* Check one text field of record i and store it. 0, or RS_ENOMEM. */
static int cpd_field(struct cpd_batch *b, size_t i, enum cpd_col col, const char *v, size_t len)
{
	struct cpd_record *r = &b->rec[i];
	const char *name = cpd_col_names[col];
	char shown[72];
	cpd_shown(shown, v, len);
	char text[200];
	if (memchr(v, '\0', len)) {
		snprintf(text, sizeof text, "%s holds a NUL byte", name);
		return cpd_batch_problem(b, i, name, "cpd.record.invalid", name, text);
	}
	switch (col) {
	case CPD_COL_ID: {
		int ok = len >= 1 && len <= CPD_RECORD_ID_MAX;
		for (size_t k = 0; ok && k < len; k++)
			ok = v[k] >= 0x21 && v[k] <= 0x7e;
		if (!ok) {
			snprintf(text, sizeof text, "provider_record_id '%s' is not 1 to 64 printable ASCII characters", shown);
			return cpd_batch_problem(b, i, name, "cpd.record.record_id_invalid", shown, text);
		}
		memcpy(r->provider_record_id, v, len);
		r->provider_record_id[len] = '\0';
		return 0;
	}
	case CPD_COL_REGNO: {
		int ok = len == 6 && strspn(v, "0123456789") >= 6 && memcmp(v, "000000", 6) != 0;
		if (!ok) {
			snprintf(text, sizeof text, "regno '%s' is not a 6-digit registration number", shown);
			return cpd_batch_problem(b, i, name, "cpd.record.regno_invalid", shown, text);
		}
		memcpy(r->regno, v, 6);
		r->regno[6] = '\0';
		return 0;
	}
	case CPD_COL_COURSE:
		if (!cpd_code_ok(v, len)) {
			snprintf(text, sizeof text, "course_code '%s' is not a course code (letters, digits, . _ -; up to 40)",
			         shown);
			return cpd_batch_problem(b, i, name, "cpd.record.course_invalid", shown, text);
		}
		memcpy(r->course_code, v, len);
		r->course_code[len] = '\0';
		return 0;
	case CPD_COL_DATE: {
		char d[11];
		struct cpd_date dt;
		int ok = len == 10;
		if (ok) {
			memcpy(d, v, 10);
			d[10] = '\0';
			ok = cpd_date_parse(&dt, d) == 0;
		}
		if (!ok) {
			snprintf(text, sizeof text, "completed_on '%s' is not a date (YYYY-MM-DD)", shown);
			return cpd_batch_problem(b, i, name, "cpd.record.date_invalid", shown, text);
		}
		if (cpd_date_days(dt) < cpd_date_days((struct cpd_date){ 2016, 10, 1 })) {
			snprintf(text, sizeof text, "completed_on %s is before continuing training began (2016-10-01)", d);
			return cpd_batch_problem(b, i, name, "cpd.record.date_too_early", d, text);
		}
		r->completed_on = dt;
		return 0;
	}
	case CPD_COL_HOURS:
		if (cpd_hours_text(&r->hours10, v, len) != 0) {
			snprintf(text, sizeof text, "hours '%s' is not a number of hours above 0 and up to 100 (one decimal)",
			         shown);
			return cpd_batch_problem(b, i, name, "cpd.record.hours_invalid", shown, text);
		}
		return 0;
	case CPD_COL_CORR:
		if (len == 0 || (len == 5 && memcmp(v, "false", 5) == 0) || (len == 1 && v[0] == '0'))
			r->correction = 0;
		else if ((len == 4 && memcmp(v, "true", 4) == 0) || (len == 1 && v[0] == '1'))
			r->correction = 1;
		else {
			snprintf(text, sizeof text, "correction '%s' is true or false", shown);
			return cpd_batch_problem(b, i, name, "cpd.record.correction_invalid", shown, text);
		}
		return 0;
	default:
		return 0;
	}
}

static int cpd_missing(struct cpd_batch *b, size_t i, enum cpd_col col)
{
	char text[80];
	snprintf(text, sizeof text, "%s is missing", cpd_col_names[col]);
	return cpd_batch_problem(b, i, cpd_col_names[col], "cpd.record.missing", cpd_col_names[col], text);
}

/* Two records with one id in one upload: the later one is a problem (unless identical:
 * then it is simply the same record twice). Sorted index, shell sort (the comparator needs
 * the batch, and qsort has no context argument). */
static int cpd_same_content(const struct cpd_record *a, const struct cpd_record *b)
{
	return strcmp(a->regno, b->regno) == 0 && strcmp(a->course_code, b->course_code) == 0 &&
	       cpd_date_days(a->completed_on) == cpd_date_days(b->completed_on) && a->hours10 == b->hours10;
}

static int cpd_duplicates(struct cpd_batch *b)
{
	if (b->n < 2)
		return 0;
	size_t *idx = malloc(b->n * sizeof *idx);
	if (!idx) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	for (size_t i = 0; i < b->n; i++)
		idx[i] = i;
	for (size_t gap = b->n / 2; gap > 0; gap /= 2)
		for (size_t i = gap; i < b->n; i++)
			for (size_t j = i; j >= gap; j -= gap) {
				const struct cpd_record *x = &b->rec[idx[j - gap]], *y = &b->rec[idx[j]];
				int c = strcmp(x->provider_record_id, y->provider_record_id);
				if (c < 0 || (c == 0 && idx[j - gap] < idx[j]))
					break;
				size_t t = idx[j];
				idx[j] = idx[j - gap];
				idx[j - gap] = t;
			}
	int rc = 0;
	for (size_t k = 1; k < b->n && rc == 0; k++) {
		const struct cpd_record *x = &b->rec[idx[k - 1]], *y = &b->rec[idx[k]];
		if (!x->provider_record_id[0] || strcmp(x->provider_record_id, y->provider_record_id) != 0)
			continue;
		if (b->bad[idx[k - 1]] || b->bad[idx[k]] || !cpd_same_content(x, y) || x->correction != y->correction) {
			char text[200];
			snprintf(text, sizeof text, "provider_record_id '%s' appears twice in this upload", y->provider_record_id);
			rc = cpd_batch_problem(b, idx[k], "provider_record_id", "cpd.record.duplicate", y->provider_record_id, text);
		}
	}
	free(idx);
	return rc;
}

/* Problems sorted by record (a reader adds them in order; the duplicate pass does not). */
static int cpd_cmp_problem(const void *a, const void *b)
{
	const struct cpd_problem *x = a, *y = b;
	return (x->index > y->index) - (x->index < y->index);
}

void cpd_batch_sort(struct cpd_batch *b)
{
	if (b->nprob > 1)
		qsort(b->prob, b->nprob, sizeof *b->prob, cpd_cmp_problem);
}

/* The end of both readers: with rc 0 the duplicate pass, then the problems in record order
 * and *out = *b (the caller's b is moved, not copied); otherwise b is freed and rc returned. */
static int cpd_batch_finish(struct cpd_batch *out, struct cpd_batch *b, int rc)
{
	if (rc == 0)
		rc = cpd_duplicates(b);
	if (rc != 0) {
		cpd_batch_free(b);
		return rc;
	}
	cpd_batch_sort(b);
	*out = *b;
	return 0;
}

int cpd_batch_from_json(struct cpd_batch *out, const json_t *body)
{
	const json_t *arr = json_is_object(body) ? json_object_get(body, "records") : NULL;
	if (!json_is_array(arr)) {
		rs_error_msg("cpd.batch.envelope", NULL);
		return RS_EINVAL;
	}
	size_t n = json_array_size(arr);
	if (n < 1 || n > CPD_BATCH_MAX) {
		char a0[12], a1[24];
		snprintf(a0, sizeof a0, "%d", CPD_BATCH_MAX);
		snprintf(a1, sizeof a1, "%zu", n);
		rs_error_msg("cpd.batch.size", a0, a1, NULL);
		return RS_EINVAL;
	}
	struct cpd_batch b;
	int rc = cpd_batch_alloc(&b, n);
	if (rc != 0)
		return rc;
	b.n = n;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const json_t *o = json_array_get(arr, i);
		if (!json_is_object(o)) {
			rc = cpd_batch_problem(&b, i, "records", "cpd.record.not_object", "", "the record is not a JSON object");
			continue;
		}
		for (int c = 0; c < CPD_NCOLS && rc == 0; c++) {
			const json_t *v = json_object_get(o, cpd_col_names[c]);
			if (c == CPD_COL_CORR) {
				if (v && !json_is_null(v) && !json_is_boolean(v))
					rc = cpd_batch_problem(&b, i, cpd_col_names[c], "cpd.record.correction_invalid", "",
					                       "correction is true or false");
				else
					b.rec[i].correction = json_is_true(v);
				continue;
			}
			if (!v || json_is_null(v)) {
				rc = cpd_missing(&b, i, (enum cpd_col)c);
			} else if (json_is_string(v)) {
				rc = cpd_field(&b, i, (enum cpd_col)c, json_string_value(v), json_string_length(v));
			} else if (c == CPD_COL_HOURS && json_is_number(v)) {
				double h = json_number_value(v) * 10.0;
				double r = nearbyint(h);
				char txt[32];
				if (isfinite(h) && fabs(h - r) < 1e-6 && r >= 1 && r <= 1000)
					b.rec[i].hours10 = (int)r;
				else
					rc = cpd_field(&b, i, CPD_COL_HOURS, txt, (size_t)snprintf(txt, sizeof txt, "%g", json_number_value(v)));
			} else {
				char text[80];
				snprintf(text, sizeof text, "%s must be a string", cpd_col_names[c]);
				rc = cpd_batch_problem(&b, i, cpd_col_names[c], "cpd.record.not_string", cpd_col_names[c], text);
			}
		}
	}
	return cpd_batch_finish(out, &b, rc);
}

/* ---- CSV ---- */

/* Well-formed UTF-8 without overlongs or surrogates. */
static int cpd_utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t k;
		unsigned min;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			k = 1, min = 0x80, c &= 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			k = 2, min = 0x800, c &= 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			k = 3, min = 0x10000, c &= 0x07;
		} else {
			return 0;
		}
		if (i + k >= n)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			c = (c << 6) | (s[i + j] & 0x3F);
		}
		if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
			return 0;
		i += k + 1;
	}
	return 1;
}

#define CPD_CSV_FIELDS_MAX 16
#define CPD_CSV_FIELD_MAX 256

struct cpd_csv_row {
	size_t line;                         /* line the row starts on */
	size_t nf;
	char f[CPD_CSV_FIELDS_MAX][CPD_CSV_FIELD_MAX + 1];
	size_t len[CPD_CSV_FIELDS_MAX];
	int too_many, too_long, bad_quote;
};

/* Read one row starting at *pos; advances *pos and *line. 0 at end of input (nothing read),
 * 1 with a row. */
static int cpd_csv_next(struct cpd_csv_row *row, const char *s, size_t n, size_t *pos, size_t *line)
{
	size_t p = *pos;
	if (p >= n)
		return 0;
	/* Every member but the field text (f, which len bounds) starts afresh for each row. */
	memset(row->len, 0, sizeof row->len);
	row->too_many = row->too_long = row->bad_quote = 0;
	row->line = *line;
	row->nf = 1;
	int quoted = 0, in_quotes = 0, after_quote = 0;
	for (;;) {
		if (p >= n) {
			if (in_quotes)
				row->bad_quote = 1;
			break;
		}
		char c = s[p++];
		if (in_quotes) {
			if (c == '"') {
				if (p < n && s[p] == '"') {
					p++;
				} else {
					in_quotes = 0;
					after_quote = 1;
					continue;
				}
			} else if (c == '\n') {
				(*line)++;
			}
		} else if (c == ',') {
			if (row->nf == CPD_CSV_FIELDS_MAX)
				row->too_many = 1;
			else
				row->len[row->nf++] = 0;
			quoted = after_quote = 0;
			continue;
		} else if (c == '\n' || c == '\r') {
			if (c == '\r' && p < n && s[p] == '\n')
				p++;
			(*line)++;
			break;
		} else if (c == '"' && !quoted && row->len[row->nf - 1] == 0 && !after_quote) {
			quoted = in_quotes = 1;
			continue;
		} else if (c == '"' || after_quote) {
			row->bad_quote = 1;
		}
		if (row->too_many)
			continue;
		size_t k = row->nf - 1;
		if (row->len[k] < CPD_CSV_FIELD_MAX)
			row->f[k][row->len[k]++] = c;
		else
			row->too_long = 1;
	}
	for (size_t k = 0; k < row->nf; k++)
		row->f[k][row->len[k]] = '\0';
	*pos = p;
	return 1;
}

static int cpd_row_blank(const struct cpd_csv_row *r)
{
	return r->nf == 1 && r->len[0] == 0 && !r->bad_quote;
}

int cpd_batch_from_csv(struct cpd_batch *out, const char *text, size_t len)
{
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
		text += 3;
		len -= 3;
	}
	if (!cpd_utf8_ok((const unsigned char *)text, len)) {
		rs_error_msg("cpd.csv.not_utf8", NULL);
		return RS_EINVAL;
	}
	/* Count lines first for the allocation (an upper bound on rows). */
	size_t lines = 1;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n' || text[i] == '\r'; /* a lone CR ends a line too */
	if (lines > CPD_CSV_ROWS_MAX + 1)
		lines = CPD_CSV_ROWS_MAX + 1; /* more rows are refused below; blank lines take no slot */
	struct cpd_csv_row *row = malloc(sizeof *row);
	if (!row) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	size_t pos = 0, line = 1;
	int rc = 0;
	int map[CPD_CSV_FIELDS_MAX];
	int have[CPD_NCOLS] = { 0 };
	size_t ncols = 0;
	/* Header: the first non-blank line. */
	for (;;) {
		if (!cpd_csv_next(row, text, len, &pos, &line)) {
			rs_error_msg("cpd.csv.empty", NULL);
			free(row);
			return RS_EINVAL;
		}
		if (!cpd_row_blank(row))
			break;
	}
	if (row->too_many || row->too_long || row->bad_quote) {
		char a0[24];
		snprintf(a0, sizeof a0, "%zu", row->line);
		rs_error_msg("cpd.csv.header", a0, NULL);
		free(row);
		return RS_EINVAL;
	}
	ncols = row->nf;
	for (size_t k = 0; k < ncols; k++) {
		char *name = row->f[k];
		size_t nl = row->len[k];
		while (nl > 0 && (name[nl - 1] == ' ' || name[nl - 1] == '\t'))
			name[--nl] = '\0';
		while (*name == ' ' || *name == '\t')
			name++;
		int c;
		for (c = 0; c < CPD_NCOLS; c++)
			if (strcmp(name, cpd_col_names[c]) == 0)
				break;
		if (c == CPD_NCOLS || have[c]) {
			char shown[72];
			cpd_shown(shown, name, strlen(name));
			char a0[24], a1[24];
			snprintf(a0, sizeof a0, "%zu", row->line);
			snprintf(a1, sizeof a1, "%zu", k + 1);
			rs_error_msg(c == CPD_NCOLS ? "cpd.csv.column_unknown" : "cpd.csv.column_twice", a0, a1, shown, NULL);
			free(row);
			return RS_EINVAL;
		}
		have[c] = 1;
		map[k] = c;
	}
	for (int c = 0; c < CPD_COL_CORR; c++)
		if (!have[c]) {
			rs_error_msg("cpd.csv.column_missing", cpd_col_names[c], NULL);
			free(row);
			return RS_EINVAL;
		}
	struct cpd_batch b;
	if ((rc = cpd_batch_alloc(&b, lines)) != 0) {
		free(row);
		return rc;
	}
	while (rc == 0 && cpd_csv_next(row, text, len, &pos, &line)) {
		if (cpd_row_blank(row))
			continue;
		if (b.n == CPD_CSV_ROWS_MAX) {
			char a0[12];
			snprintf(a0, sizeof a0, "%d", CPD_CSV_ROWS_MAX);
			rs_error_msg("cpd.csv.too_many_rows", a0, NULL);
			rc = RS_EINVAL;
			break;
		}
		size_t i = b.n++;
		b.rec[i].line = row->line;
		char text_[200];
		if (row->bad_quote) {
			snprintf(text_, sizeof text_, "line %zu: a quote is not closed or stands inside a field", row->line);
			rc = cpd_batch_problem(&b, i, "line", "cpd.csv.quote", "", text_);
			continue;
		}
		if (row->too_many || row->nf != ncols) {
			char a[24];
			snprintf(a, sizeof a, "%zu", row->nf);
			snprintf(text_, sizeof text_, "line %zu has %zu columns, the header %zu", row->line, row->nf, ncols);
			rc = cpd_batch_problem(&b, i, "line", "cpd.csv.columns", a, text_);
			continue;
		}
		for (size_t k = 0; k < ncols && rc == 0; k++) {
			if (row->too_long && row->len[k] >= CPD_CSV_FIELD_MAX) {
				snprintf(text_, sizeof text_, "%s is longer than %d bytes", cpd_col_names[map[k]], CPD_CSV_FIELD_MAX);
				rc = cpd_batch_problem(&b, i, cpd_col_names[map[k]], "cpd.record.too_long", cpd_col_names[map[k]],
				                       text_);
				continue;
			}
			if (row->len[k] == 0 && map[k] != CPD_COL_CORR)
				rc = cpd_missing(&b, i, (enum cpd_col)map[k]);
			else
				rc = cpd_field(&b, i, (enum cpd_col)map[k], row->f[k], row->len[k]);
		}
	}
	free(row);
	if (rc == 0 && b.n == 0) {
		rs_error_msg("cpd.csv.no_rows", NULL);
		rc = RS_EINVAL;
	}
	return cpd_batch_finish(out, &b, rc);
}
