/* CSV booking files (RFC 4180 quoting, UTF-8): parse and check every row, collecting one
 * error per bad field with its line number, before anything touches the database. */
#include "dlv_int.h"

#include "rs_attr.h"
#include "rs_error.h"
#include "rs_msg.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DLV_CSV_HEADER "name_kanji,name_kana,name_romaji,birth_date,email,phone,centre,window,sit_on,starts_at," \
	"extra_minutes,large_text,high_contrast"
/* The 13 columns every file has, then optionally the candidate's four statistical attributes
 * (rs_attr.h, in that order: prefecture, occupation, industry, employer_type), each may be
 * empty (not answered). */
static const char *const dlv_cols[] = {
	"name_kanji", "name_kana", "name_romaji", "birth_date", "email", "phone", "centre", "window",
	"sit_on", "starts_at", "extra_minutes", "large_text", "high_contrast",
	"prefecture", "occupation", "industry", "employer_type",
};
#define DLV_NBASE 13
#define DLV_NCOLS (sizeof dlv_cols / sizeof dlv_cols[0])
#define DLV_FIELD_MAX 256

/* One bad field: line, field, the catalogue id of the problem (message_id, with args when
 * it has placeholders) and its English text (message); the HTTP layer puts the reader's
 * language in message. */
void dlv_row_err(json_t *errors, long long line, const char *field, const char *msg_id, const char *arg0,
                 const char *arg1)
{
	const char *args[] = { arg0, arg0 ? arg1 : NULL, NULL };
	char en[512];
	rs_msg_format(en, sizeof en, msg_id, 1, args);
	json_t *e = json_pack("{s:I, s:s, s:s, s:s}", "line", (json_int_t)line, "field", field, "message_id", msg_id,
	                      "message", en);
	if (e && arg0) {
		json_t *a = json_array();
		for (size_t i = 0; args[i]; i++)
			json_array_append_new(a, json_string(args[i]));
		json_object_set_new(e, "args", a);
	}
	json_array_append_new(errors, e);
}

static void dlv_err(json_t *errors, size_t line, const char *field, const char *msg_id)
{
	dlv_row_err(errors, (long long)line, field, msg_id, NULL, NULL);
}

/* One record starting at *pos: fields into f[], count into *nf (up to max). Returns 0, or
 * RS_EPARSE with *msg for an unterminated quote or a field over its bound. Advances *pos
 * and *line past the record. */
static int dlv_record(char f[][DLV_FIELD_MAX + 1], size_t max, size_t *nf, const char *s, size_t len,
                      size_t *pos, size_t *line, const char **msg)
{
	size_t i = *pos, n = 0, k = 0;
	int quoted = 0, inq = 0, over = 0;
	f[0][0] = '\0';
	for (;;) {
		if (i >= len) {
			if (inq) {
				*msg = "csv.quote_open";
				return RS_EPARSE;
			}
			break;
		}
		char c = s[i++];
		if (inq) {
			if (c == '"') {
				if (i < len && s[i] == '"') {
					i++;
				} else {
					inq = 0;
					continue;
				}
			} else if (c == '\n') {
				(*line)++;
			}
		} else if (c == '"' && k == 0 && !quoted) {
			inq = quoted = 1;
			continue;
		} else if (c == ',') {
			if (n < max)
				f[n][k] = '\0';
			n++;
			k = 0;
			quoted = 0;
			if (n < max)
				f[n][0] = '\0';
			continue;
		} else if (c == '\r' && i < len && s[i] == '\n') {
			continue;
		} else if (c == '\n') {
			break;
		}
		if (n < max) {
			if (k < DLV_FIELD_MAX)
				f[n][k++] = c;
			else
				over = 1;
		}
	}
	if (n < max)
		f[n][k] = '\0';
	*nf = n + 1;
	*pos = i;
	if (over) {
		*msg = "csv.field_long";
		return RS_EPARSE;
	}
	return 0;
}

static int dlv_is_date(const char *s)
{
	int y, m, d;
	char extra;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3)
		return 0;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return s[4] == '-' && s[7] == '-';
}

static int dlv_is_time(const char *s)
{
	return strlen(s) == 5 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) && s[2] == ':' &&
	       isdigit((unsigned char)s[3]) && isdigit((unsigned char)s[4]) &&
	       (s[0] - '0') * 10 + (s[1] - '0') < 24 && s[3] < '6';
}

static const char *dlv_bool(const char *s)
{
	if (!*s || !strcmp(s, "0") || !strcasecmp(s, "false") || !strcasecmp(s, "no"))
		return "f";
	if (!strcmp(s, "1") || !strcasecmp(s, "true") || !strcasecmp(s, "yes"))
		return "t";
	return NULL;
}

/* Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF, no control
 * characters but tab): what jansson and PostgreSQL both accept. */
static int dlv_valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		unsigned c = *p;
		int n;
		uint32_t cp, min;
		if (c < 0x80) {
			if (c < 0x20 && c != '\t')
				return 0;
			p++;
			continue;
		} else if ((c >> 5) == 6) {
			n = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c >> 4) == 14) {
			n = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c >> 3) == 30) {
			n = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		p++;
		while (n-- > 0) {
			if ((*p & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (*p & 0x3f);
			p++;
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
			return 0;
	}
	return 1;
}

int dlv_csv_bookings_parse(json_t **out_rows, json_t **out_errors, const char *csv, size_t len)
{
	json_t *rows = json_array(), *errors = json_array();
	char (*f)[DLV_FIELD_MAX + 1] = calloc(DLV_NCOLS + 1, sizeof *f);
	int rc = 0;
	if (!rows || !errors || !f) {
		rc = RS_ENOMEM;
		goto done;
	}
	if (len > DLV_CSV_MAX_BYTES) {
		dlv_err(errors, 0, "file", "csv.too_big");
		rs_error_msg("csv.file_too_big", NULL);
		rc = RS_ETOOBIG;
		goto done;
	}
	size_t pos = 0, line = 1, nf = 0;
	if (len >= 3 && memcmp(csv, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	const char *msg = NULL;
	if (dlv_record(f, DLV_NCOLS + 1, &nf, csv, len, &pos, &line, &msg) != 0 || (nf != DLV_NBASE && nf != DLV_NCOLS)) {
		dlv_row_err(errors, 1, "header", "csv.header", DLV_CSV_HEADER, NULL);
		rs_error_msg("csv.not_booking_header", NULL);
		rc = RS_EPARSE;
		goto done;
	}
	const size_t ncols = nf;
	for (size_t c = 0; c < ncols; c++) {
		if (strcmp(f[c], dlv_cols[c]) != 0) {
			dlv_row_err(errors, 1, "header", "csv.header", DLV_CSV_HEADER, NULL);
			rs_error_msg("csv.not_booking_header", NULL);
			rc = RS_EPARSE;
			goto done;
		}
	}
	size_t nrows = 0;
	while (pos < len) {
		size_t start_line = ++line;
		msg = NULL;
		int prc = dlv_record(f, DLV_NCOLS + 1, &nf, csv, len, &pos, &line, &msg);
		if (prc != 0) {
			dlv_err(errors, start_line, "row", msg);
			if (strcmp(msg, "csv.quote_open") == 0)
				break;
			continue;
		}
		if (nf == 1 && f[0][0] == '\0')
			continue; /* blank line */
		if (++nrows > DLV_CSV_MAX_ROWS) {
			dlv_err(errors, start_line, "file", "csv.too_many_rows");
			break;
		}
		if (nf != ncols) {
			char want[24], found[24];
			snprintf(want, sizeof want, "%zu", ncols);
			snprintf(found, sizeof found, "%zu", nf);
			dlv_row_err(errors, (long long)start_line, "row", "csv.field_count", want, found);
			continue;
		}
		size_t before = json_array_size(errors);
		for (size_t c = 0; c < ncols; c++)
			if (!dlv_valid_utf8(f[c]))
				dlv_err(errors, start_line, dlv_cols[c], "csv.not_utf8");
		if (!f[0][0])
			dlv_err(errors, start_line, "name_kanji", "csv.required");
		if (!f[1][0])
			dlv_err(errors, start_line, "name_kana", "csv.required");
		if (!f[2][0] || !isalpha((unsigned char)f[2][0]) || strspn(f[2], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz .'-") != strlen(f[2]))
			dlv_err(errors, start_line, "name_romaji", "csv.romaji");
		if (!dlv_is_date(f[3]))
			dlv_err(errors, start_line, "birth_date", "csv.not_date");
		const char *at = strchr(f[4], '@');
		if (!at || at == f[4] || !at[1] || strchr(at + 1, '@') || strpbrk(f[4], " \t"))
			dlv_err(errors, start_line, "email", "csv.not_email");
		if (strspn(f[5], "0123456789+() -") != strlen(f[5]) || strlen(f[5]) > 24)
			dlv_err(errors, start_line, "phone", "csv.phone");
		if (strlen(f[6]) < 2 || strlen(f[6]) > 32 || strspn(f[6], "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != strlen(f[6]))
			dlv_err(errors, start_line, "centre", "csv.centre_code");
		if (!f[7][0])
			dlv_err(errors, start_line, "window", "csv.required");
		if (!dlv_is_date(f[8]))
			dlv_err(errors, start_line, "sit_on", "csv.not_date");
		if (!dlv_is_time(f[9]))
			dlv_err(errors, start_line, "starts_at", "csv.not_time");
		char *end = NULL;
		long extra = f[10][0] ? strtol(f[10], &end, 10) : 0;
		if (f[10][0] && (*end || extra < 0 || extra > 240))
			dlv_err(errors, start_line, "extra_minutes", "csv.extra_minutes");
		const char *lt = dlv_bool(f[11]), *hc = dlv_bool(f[12]);
		if (!lt)
			dlv_err(errors, start_line, "large_text", "csv.bool");
		if (!hc)
			dlv_err(errors, start_line, "high_contrast", "csv.bool");
		for (size_t c = DLV_NBASE; c < ncols; c++)
			if (f[c][0] && rs_attr_check((enum rs_attr_kind)(c - DLV_NBASE), f[c]) != 0)
				dlv_row_err(errors, (long long)start_line, dlv_cols[c], rs_error_last_id(), f[c], NULL);
		if (json_array_size(errors) != before)
			continue;
		char xs[16];
		snprintf(xs, sizeof xs, "%ld", extra);
		json_t *row = json_pack("{s:I}", "line", (json_int_t)start_line);
		for (size_t c = 0; c < 10; c++)
			json_object_set_new(row, dlv_cols[c], json_string(f[c]));
		json_object_set_new(row, "extra_minutes", json_string(xs));
		json_object_set_new(row, "large_text", json_string(lt));
		json_object_set_new(row, "high_contrast", json_string(hc));
		for (size_t c = DLV_NBASE; c < ncols; c++)
			if (f[c][0])
				json_object_set_new(row, dlv_cols[c], json_string(f[c]));
		json_array_append_new(rows, row);
	}
	if (json_array_size(rows) == 0 && json_array_size(errors) == 0)
		dlv_err(errors, 1, "file", "csv.no_rows");
done:
	free(f);
	if (rc == RS_ENOMEM) {
		json_decref(rows);
		json_decref(errors);
		rs_error_set("out of memory");
		return rc;
	}
	*out_rows = rows;
	*out_errors = errors;
	return rc;
}
