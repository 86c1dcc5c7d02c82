/* item-bank: the response data set and its wide/long TSV readers (bounded,
 * one clear error naming the line or item, never a crash). */
#include "ib_data.h"

#include "rs_error.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- a small string -> index hash table (open addressing) ---- */

struct ib_strmap {
	size_t cap;          /* power of two */
	size_t n;
	const char **keys;   /* borrowed: the owner keeps the strings alive */
	uint32_t *vals;
};

static uint64_t ib_hash(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static void ib_strmap_free(struct ib_strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

static int ib_strmap_grow(struct ib_strmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 1024;
	const char **nk = calloc(ncap, sizeof *nk);
	uint32_t *nv = calloc(ncap, sizeof *nv);
	if (!nk || !nv) {
		free(nk);
		free(nv);
		rs_error_set("out of memory growing an id table");
		return RS_ENOMEM;
	}
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->keys[i])
			continue;
		size_t h = ib_hash(m->keys[i], strlen(m->keys[i])) & (ncap - 1);
		while (nk[h])
			h = (h + 1) & (ncap - 1);
		nk[h] = m->keys[i];
		nv[h] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = nk;
	m->vals = nv;
	m->cap = ncap;
	return 0;
}

/* Look up s[0..len); returns the index or -1. */
static long ib_strmap_get(const struct ib_strmap *m, const char *s, size_t len)
{
	if (!m->cap)
		return -1;
	size_t h = ib_hash(s, len) & (m->cap - 1);
	while (m->keys[h]) {
		if (strncmp(m->keys[h], s, len) == 0 && m->keys[h][len] == '\0')
			return (long)m->vals[h];
		h = (h + 1) & (m->cap - 1);
	}
	return -1;
}

/* Insert an owned-elsewhere NUL-terminated key (must not be present). */
static int ib_strmap_put(struct ib_strmap *m, const char *key, uint32_t val)
{
	if ((m->n + 1) * 2 > m->cap) {
		int rc = ib_strmap_grow(m);
		if (rc)
			return rc;
	}
	size_t h = ib_hash(key, strlen(key)) & (m->cap - 1);
	while (m->keys[h])
		h = (h + 1) & (m->cap - 1);
	m->keys[h] = key;
	m->vals[h] = val;
	m->n++;
	return 0;
}

/* ---- growable arrays ---- */

static int ib_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 64;
	while (ncap < need)
		ncap *= 2;
	void *np = realloc(*p, ncap * elem);
	if (!np) {
		rs_error_set("out of memory reading responses");
		return RS_ENOMEM;
	}
	*p = np;
	*cap = ncap;
	return 0;
}

static char *ib_strndup_checked(const char *s, size_t len)
{
	char *r = malloc(len + 1);
	if (!r)
		return NULL;
	memcpy(r, s, len);
	r[len] = '\0';
	return r;
}

/* ---- the data set ---- */

void ib_data_free(struct ib_data *d)
{
	if (!d)
		return;
	if (d->person_ids)
		for (size_t i = 0; i < d->n_persons; i++)
			free(d->person_ids[i]);
	if (d->item_ids)
		for (size_t j = 0; j < d->n_items; j++)
			free(d->item_ids[j]);
	if (d->covar)
		for (size_t i = 0; i < d->n_persons * d->n_covars; i++)
			free(d->covar[i]);
	if (d->covar_names)
		for (size_t k = 0; k < d->n_covars; k++)
			free(d->covar_names[k]);
	free(d->covar);
	free(d->covar_names);
	free(d->person_ids);
	free(d->item_ids);
	free(d->weight);
	free(d->row_start);
	free(d->resp);
	free(d->option);
	free(d->key);
	free(d);
}

int ib_data_alloc(struct ib_data **out, size_t n_persons, size_t n_items, size_t n_resp)
{
	struct ib_data *d = calloc(1, sizeof *d);
	int rc = RS_ENOMEM;
	if (!d)
		goto done;
	d->n_persons = n_persons;
	d->n_items = n_items;
	d->n_resp = n_resp;
	d->person_ids = calloc(n_persons ? n_persons : 1, sizeof *d->person_ids);
	d->item_ids = calloc(n_items ? n_items : 1, sizeof *d->item_ids);
	d->weight = malloc((n_persons ? n_persons : 1) * sizeof *d->weight);
	d->row_start = calloc(n_persons + 1, sizeof *d->row_start);
	d->resp = malloc((n_resp ? n_resp : 1) * sizeof *d->resp);
	if (!d->person_ids || !d->item_ids || !d->weight || !d->row_start || !d->resp)
		goto done;
	for (size_t i = 0; i < n_persons; i++) {
		char buf[32];
		snprintf(buf, sizeof buf, "p%zu", i + 1);
		if (!(d->person_ids[i] = strdup(buf)))
			goto done;
		d->weight[i] = 1.0;
	}
	for (size_t j = 0; j < n_items; j++) {
		char buf[32];
		snprintf(buf, sizeof buf, "i%zu", j + 1);
		if (!(d->item_ids[j] = strdup(buf)))
			goto done;
	}
	rc = 0;
done:
	if (rc) {
		rs_error_set("out of memory allocating a data set of %zu persons", n_persons);
		ib_data_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

void ib_data_item_counts(const struct ib_data *d, double *n_out, double *r_out)
{
	memset(n_out, 0, d->n_items * sizeof *n_out);
	memset(r_out, 0, d->n_items * sizeof *r_out);
	for (size_t i = 0; i < d->n_persons; i++) {
		double w = d->weight[i];
		for (size_t k = d->row_start[i]; k < d->row_start[i + 1]; k++) {
			uint32_t r = d->resp[k];
			n_out[IB_RESP_ITEM(r)] += w;
			r_out[IB_RESP_ITEM(r)] += w * IB_RESP_SCORE(r);
		}
	}
}

long ib_data_find_item(const struct ib_data *d, const char *id)
{
	for (size_t j = 0; j < d->n_items; j++)
		if (strcmp(d->item_ids[j], id) == 0)
			return (long)j;
	return -1;
}

long ib_data_find_covar(const struct ib_data *d, const char *name)
{
	for (size_t k = 0; k < d->n_covars; k++)
		if (strcmp(d->covar_names[k], name) == 0)
			return (long)k;
	return -1;
}

int ib_read_file(char **out, size_t *out_len, const char *path, size_t max_bytes)
{
	if (!max_bytes)
		max_bytes = IB_MAX_INPUT_BYTES;
	int rc = 0;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (!f) {
		rs_error_set("cannot open '%s': %s", path, strerror(errno));
		return errno == ENOENT ? RS_ENOTFOUND : RS_EIO;
	}
	struct stat st;
	if (f != stdin && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
		if ((size_t)st.st_size > max_bytes) {
			rs_error_set("'%s' is %lld bytes, more than the limit of %zu", path,
			             (long long)st.st_size, max_bytes);
			rc = RS_ETOOBIG;
			goto done;
		}
		cap = (size_t)st.st_size + 1;
	}
	if (cap < 4096)
		cap = 4096;
	buf = malloc(cap);
	if (!buf) {
		rs_error_set("out of memory reading '%s'", path);
		rc = RS_ENOMEM;
		goto done;
	}
	for (;;) {
		if (len + 1 >= cap) {
			if (cap > max_bytes + 1) {
				rs_error_set("'%s' is larger than the limit of %zu bytes", path, max_bytes);
				rc = RS_ETOOBIG;
				goto done;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				rs_error_set("out of memory reading '%s'", path);
				rc = RS_ENOMEM;
				goto done;
			}
			buf = nb;
			cap *= 2;
		}
		size_t n = fread(buf + len, 1, cap - 1 - len, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		rs_error_set("error reading '%s'", path);
		rc = RS_EIO;
		goto done;
	}
	if (len > max_bytes) {
		rs_error_set("'%s' is larger than the limit of %zu bytes", path, max_bytes);
		rc = RS_ETOOBIG;
		goto done;
	}
	buf[len] = '\0';
done:
	if (f != stdin)
		fclose(f);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

/* ---- line and field scanning ---- */

struct ib_scan {
	const char *p, *end;
	size_t line;         /* 1-based number of the line last returned */
};

/* Next line without its terminator (and without a trailing \r). Returns 0 at
 * end of input, 1 with a line, RS_EPARSE on a NUL byte. */
static int ib_next_line(struct ib_scan *s, const char **lp, size_t *llen)
{
	if (s->p >= s->end)
		return 0;
	const char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
	const char *e = nl ? nl : s->end;
	s->line++;
	*lp = s->p;
	*llen = (size_t)(e - s->p);
	if (*llen && (*lp)[*llen - 1] == '\r')
		(*llen)--;
	if (memchr(*lp, '\0', *llen)) {
		rs_error_set("line %zu: contains a NUL byte (not a text TSV file)", s->line);
		return RS_EPARSE;
	}
	s->p = nl ? nl + 1 : s->end;
	return 1;
}

/* Split a line on tabs into at most max fields; returns the field count
 * (which may exceed max: then only max are stored). */
static size_t ib_split(const char *l, size_t len, const char **f, size_t *flen, size_t max)
{
	size_t n = 0;
	const char *p = l, *e = l + len;
	for (;;) {
		const char *t = memchr(p, '\t', (size_t)(e - p));
		const char *fe = t ? t : e;
		if (n < max) {
			f[n] = p;
			flen[n] = (size_t)(fe - p);
		}
		n++;
		if (!t)
			break;
		p = t + 1;
	}
	return n;
}

static size_t ib_count_fields(const char *l, size_t len)
{
	size_t n = 1;
	for (size_t i = 0; i < len; i++)
		n += l[i] == '\t';
	return n;
}

/* Render a field for an error message: printable, at most 24 bytes. */
static const char *ib_show(const char *s, size_t len, char *buf, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 5 < cap && i < 24; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\'')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, cap - o, "\\x%02x", c);
	}
	if (len > 24 && o + 4 < cap) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static int ib_is_missing(const char *s, size_t len)
{
	return len == 0 || (len == 2 && s[0] == 'N' && s[1] == 'A') ||
	       (len == 1 && s[0] == '.');
}

/* True when s[0..len) is valid UTF-8 without control characters. */
static int ib_utf8_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + len;
	while (p < e) {
		unsigned c = *p++;
		size_t more;
		unsigned min;
		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c < 0x80)
			continue;
		if ((c & 0xe0) == 0xc0) {
			more = 1;
			min = 0x80;
			c &= 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			more = 2;
			min = 0x800;
			c &= 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			more = 3;
			min = 0x10000;
			c &= 0x07;
		} else {
			return 0;
		}
		if ((size_t)(e - p) < more)
			return 0;
		for (size_t i = 0; i < more; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			c = (c << 6) | (p[i] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return 0;
		p += more;
	}
	return 1;
}

/* Check an id: 1..IB_MAX_ID_LEN bytes of UTF-8 text. */
static int ib_check_id(const char *what, const char *s, size_t len, size_t line)
{
	if (len == 0) {
		rs_error_set("line %zu: empty %s", line, what);
		return RS_EPARSE;
	}
	if (len > IB_MAX_ID_LEN) {
		rs_error_set("line %zu: %s is %zu bytes long, more than %u", line, what, len,
		             IB_MAX_ID_LEN);
		return RS_ETOOBIG;
	}
	if (!ib_utf8_ok(s, len)) {
		rs_error_set("line %zu: %s is not UTF-8 text", line, what);
		return RS_EPARSE;
	}
	return 0;
}

/* Builder shared by both readers: rows appended one at a time. */
struct ib_build {
	struct ib_data *d;
	size_t cap_p, cap_r;
	size_t cap_pid, cap_w, cap_rs, cap_opt;
};

static int ib_build_person(struct ib_build *b, const char *id, size_t idlen, double w)
{
	struct ib_data *d = b->d;
	if (d->n_persons >= IB_MAX_PERSONS) {
		rs_error_set("more than %u persons: split the file", IB_MAX_PERSONS);
		return RS_ETOOBIG;
	}
	int rc;
	if ((rc = ib_grow((void **)&d->person_ids, &b->cap_pid, d->n_persons + 1, sizeof(char *))) ||
	    (rc = ib_grow((void **)&d->weight, &b->cap_w, d->n_persons + 1, sizeof(double))) ||
	    (rc = ib_grow((void **)&d->row_start, &b->cap_rs, d->n_persons + 2, sizeof(size_t))))
		return rc;
	char *s = ib_strndup_checked(id, idlen);
	if (!s) {
		rs_error_set("out of memory reading responses");
		return RS_ENOMEM;
	}
	d->person_ids[d->n_persons] = s;
	d->weight[d->n_persons] = w;
	d->n_persons++;
	d->row_start[d->n_persons] = d->n_resp;
	return 0;
}

/* ---- wide TSV ---- */

enum { IB_COL_ID, IB_COL_ITEM, IB_COL_FREQ, IB_COL_KEEP };

int ib_data_read_wide(struct ib_data **out, const char *buf, size_t len,
                      const struct ib_read_opts *opts)
{
	struct ib_read_opts none = { 0 };
	if (!opts)
		opts = &none;
	size_t max = opts->max_bytes ? opts->max_bytes : IB_MAX_INPUT_BYTES;
	int rc = 0;
	struct ib_build b = { 0 };
	struct ib_strmap names = { 0 };
	const char **f = NULL;
	size_t *flen = NULL, *col_item = NULL, ncol = 0;
	int *role = NULL;
	double *seen = NULL;
	size_t cap_cov = 0, n_items = 0, freq_col = (size_t)-1;
	int have_key = 0;
	char sb[128];

	if (len > max) {
		rs_error_set("input is %zu bytes, more than the limit of %zu", len, max);
		return RS_ETOOBIG;
	}
	struct ib_scan s = { buf, buf + len, 0 };
	const char *l;
	size_t ll;
	/* Header (skipping leading blank lines). */
	do {
		rc = ib_next_line(&s, &l, &ll);
		if (rc < 0)
			goto done;
		if (rc == 0) {
			rs_error_set("empty file: expected a header line (id, then one column per item)");
			rc = RS_EPARSE;
			goto done;
		}
	} while (ll == 0);
	rc = 0;
	ncol = ib_count_fields(l, ll);
	if (ncol > IB_MAX_ITEMS + 64) {
		rs_error_set("line %zu: %zu columns, more than the limit of %u items", s.line, ncol,
		             IB_MAX_ITEMS);
		rc = RS_ETOOBIG;
		goto done;
	}
	b.d = calloc(1, sizeof *b.d);
	f = calloc(ncol, sizeof *f);
	flen = calloc(ncol, sizeof *flen);
	role = calloc(ncol, sizeof *role);
	col_item = calloc(ncol, sizeof *col_item);
	if (!b.d || !f || !flen || !role || !col_item) {
		rs_error_set("out of memory reading the header");
		rc = RS_ENOMEM;
		goto done;
	}
	ib_split(l, ll, f, flen, ncol);
	role[0] = IB_COL_ID;
	b.d->item_ids = calloc(ncol, sizeof *b.d->item_ids);
	b.d->covar_names = calloc(ncol, sizeof *b.d->covar_names);
	if (!b.d->item_ids || !b.d->covar_names) {
		rs_error_set("out of memory reading the header");
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t c = 1; c < ncol; c++) {
		if (flen[c] == 0) {
			rs_error_set("line %zu: column %zu has an empty name", s.line, c + 1);
			rc = RS_EPARSE;
			goto done;
		}
		if ((rc = ib_check_id("column name", f[c], flen[c], s.line)))
			goto done;
		if (ib_strmap_get(&names, f[c], flen[c]) >= 0) {
			rs_error_set("line %zu: column '%s' appears twice", s.line,
			             ib_show(f[c], flen[c], sb, sizeof sb));
			rc = RS_EPARSE;
			goto done;
		}
		char *name = ib_strndup_checked(f[c], flen[c]);
		if (!name) {
			rc = RS_ENOMEM;
			rs_error_set("out of memory reading the header");
			goto done;
		}
		int keep = 0;
		for (size_t k = 0; k < opts->n_keep_cols; k++)
			if (strcmp(opts->keep_cols[k], name) == 0)
				keep = 1;
		if (strcmp(name, "freq") == 0) {
			role[c] = IB_COL_FREQ;
			freq_col = c;
			b.d->covar_names[b.d->n_covars] = NULL;
			free(name);
			name = NULL;
		} else if (keep) {
			role[c] = IB_COL_KEEP;
			col_item[c] = b.d->n_covars;
			b.d->covar_names[b.d->n_covars++] = name;
		} else {
			role[c] = IB_COL_ITEM;
			col_item[c] = n_items;
			b.d->item_ids[n_items++] = name;
			b.d->n_items = n_items;
		}
		if (name && (rc = ib_strmap_put(&names, name, (uint32_t)c)))
			goto done;
	}
	(void)freq_col;
	for (size_t k = 0; k < opts->n_keep_cols; k++) {
		int found = 0;
		for (size_t c = 0; c < b.d->n_covars; c++)
			found |= strcmp(b.d->covar_names[c], opts->keep_cols[k]) == 0;
		if (!found) {
			rs_error_set("line %zu: the header has no column '%s'", s.line, opts->keep_cols[k]);
			rc = RS_EINVAL;
			goto done;
		}
	}
	if (n_items == 0) {
		rs_error_set("line %zu: the header has no item columns (is the file tab-separated?)",
		             s.line);
		rc = RS_EPARSE;
		goto done;
	}
	if (n_items > IB_MAX_ITEMS) {
		rs_error_set("%zu items, more than the limit of %u", n_items, IB_MAX_ITEMS);
		rc = RS_ETOOBIG;
		goto done;
	}
	if (!(b.d->row_start = calloc(2, sizeof(size_t)))) {
		rc = RS_ENOMEM;
		rs_error_set("out of memory");
		goto done;
	}
	b.cap_rs = 2;
	if (opts->allow_options && !(b.d->key = malloc(n_items))) {
		rc = RS_ENOMEM;
		rs_error_set("out of memory");
		goto done;
	}
	if (b.d->key)
		memset(b.d->key, 0xff, n_items);
	seen = calloc(n_items, sizeof *seen);
	if (!seen) {
		rc = RS_ENOMEM;
		rs_error_set("out of memory");
		goto done;
	}

	int r;
	size_t data_rows = 0;
	while ((r = ib_next_line(&s, &l, &ll)) == 1) {
		if (ll == 0)
			continue;
		size_t nf = ib_split(l, ll, f, flen, ncol);
		if (nf != ncol) {
			rs_error_set("line %zu: %zu fields where the header has %zu (ragged row)", s.line,
			             nf, ncol);
			rc = RS_EPARSE;
			goto done;
		}
		if ((rc = ib_check_id("person id", f[0], flen[0], s.line)))
			goto done;
		int is_key = opts->allow_options && flen[0] == 3 && memcmp(f[0], "KEY", 3) == 0;
		if (is_key) {
			if (data_rows || have_key) {
				rs_error_set("line %zu: the KEY row must come first, right after the header",
				             s.line);
				rc = RS_EPARSE;
				goto done;
			}
			for (size_t c = 1; c < ncol; c++) {
				if (role[c] != IB_COL_ITEM)
					continue;
				if (flen[c] != 1 || f[c][0] < 'A' || f[c][0] >= 'A' + IB_MAX_OPTIONS) {
					rs_error_set("line %zu, item '%s': key '%s' is not an option letter A-H",
					             s.line, b.d->item_ids[col_item[c]],
					             ib_show(f[c], flen[c], sb, sizeof sb));
					rc = RS_EPARSE;
					goto done;
				}
				b.d->key[col_item[c]] = (uint8_t)(f[c][0] - 'A');
			}
			have_key = 1;
			continue;
		}
		double w = 1.0;
		if (freq_col != (size_t)-1) {
			char tmp[64];
			char *endp;
			size_t fl = flen[freq_col];
			if (fl == 0 || fl >= sizeof tmp) {
				rs_error_set("line %zu: freq '%s' is not a positive number", s.line,
				             ib_show(f[freq_col], fl, sb, sizeof sb));
				rc = RS_EPARSE;
				goto done;
			}
			memcpy(tmp, f[freq_col], fl);
			tmp[fl] = '\0';
			errno = 0;
			w = strtod(tmp, &endp);
			if (*endp || errno || !(w > 0) || w > IB_MAX_FREQ) {
				rs_error_set("line %zu: freq '%s' is not a positive number up to 1e9", s.line,
				             ib_show(f[freq_col], fl, sb, sizeof sb));
				rc = RS_EPARSE;
				goto done;
			}
		}
		/* Responses of this row. */
		size_t start = b.d->n_resp;
		if ((rc = ib_grow((void **)&b.d->resp, &b.cap_r, b.d->n_resp + n_items, sizeof(uint32_t))))
			goto done;
		if (b.d->key && (rc = ib_grow((void **)&b.d->option, &b.cap_opt, b.d->n_resp + n_items, 1)))
			goto done;
		for (size_t c = 1; c < ncol; c++) {
			const char *v = f[c];
			size_t vl = flen[c];
			if (role[c] == IB_COL_KEEP || role[c] == IB_COL_FREQ)
				continue;
			if (ib_is_missing(v, vl))
				continue;
			size_t j = col_item[c];
			int score;
			uint8_t opt = 0xff;
			if (vl == 1 && (v[0] == '0' || v[0] == '1')) {
				score = v[0] - '0';
			} else if (b.d->key && vl == 1 && v[0] >= 'A' && v[0] < 'A' + IB_MAX_OPTIONS) {
				if (!have_key) {
					rs_error_set("line %zu, item '%s': option letters need a KEY row first",
					             s.line, b.d->item_ids[j]);
					rc = RS_EPARSE;
					goto done;
				}
				opt = (uint8_t)(v[0] - 'A');
				score = opt == b.d->key[j];
			} else {
				rs_error_set("line %zu, item '%s': value '%s' is not 0, 1, empty or NA%s", s.line,
				             b.d->item_ids[j], ib_show(v, vl, sb, sizeof sb),
				             b.d->key ? " or an option letter" : " (items must be dichotomous)");
				rc = RS_EPARSE;
				goto done;
			}
			if (b.d->option)
				b.d->option[b.d->n_resp] = opt;
			b.d->resp[b.d->n_resp++] = IB_RESP(j, score);
			seen[j] += w;
		}
		if (b.d->n_resp == start) {
			b.d->dropped_empty++;
			continue;
		}
		if (b.d->n_covars) {
			size_t base = b.d->n_persons * b.d->n_covars;
			if ((rc = ib_grow((void **)&b.d->covar, &cap_cov, base + b.d->n_covars,
			                  sizeof(char *))))
				goto done;
			for (size_t k = 0; k < b.d->n_covars; k++)
				b.d->covar[base + k] = NULL;
			for (size_t c = 1; c < ncol; c++) {
				if (role[c] != IB_COL_KEEP)
					continue;
				int miss = ib_is_missing(f[c], flen[c]);
				char *cv = ib_strndup_checked(miss ? "" : f[c], miss ? 0 : flen[c]);
				if (!cv) {
					rc = RS_ENOMEM;
					rs_error_set("out of memory");
					goto done;
				}
				b.d->covar[base + col_item[c]] = cv;
			}
		}
		if ((rc = ib_build_person(&b, f[0], flen[0], w))) {
			for (size_t k = 0; k < b.d->n_covars; k++) {
				free(b.d->covar[b.d->n_persons * b.d->n_covars + k]);
				b.d->covar[b.d->n_persons * b.d->n_covars + k] = NULL;
			}
			goto done;
		}
		data_rows++;
	}
	if (r < 0) {
		rc = r;
		goto done;
	}
	if (b.d->n_persons == 0) {
		rs_error_set(b.d->dropped_empty ? "no row holds any response"
		                                : "no data rows after the header");
		rc = RS_EPARSE;
		goto done;
	}
	for (size_t j = 0; j < n_items; j++) {
		if (seen[j] == 0) {
			rs_error_set("item '%s' (column %zu): nobody answered it; remove the column",
			             b.d->item_ids[j], j + 2);
			rc = RS_EINVAL;
			goto done;
		}
	}
done:
	free(f);
	free(flen);
	free(role);
	free(col_item);
	free(seen);
	ib_strmap_free(&names);
	if (rc) {
		ib_data_free(b.d);
		return rc;
	}
	*out = b.d;
	return 0;
}

/* ---- long TSV ---- */

struct ib_triple {
	uint32_t person, item;
	uint32_t line;       /* line number (saturated) for error messages */
	uint8_t score;
};

int ib_data_read_long(struct ib_data **out, const char *buf, size_t len,
                      const struct ib_read_opts *opts)
{
	size_t max = opts && opts->max_bytes ? opts->max_bytes : IB_MAX_INPUT_BYTES;
	int rc = 0;
	struct ib_data *d = NULL;
	struct ib_strmap pm = { 0 }, im = { 0 };
	struct ib_triple *t = NULL;
	size_t nt = 0, cap_t = 0, cap_pid = 0, cap_iid = 0;
	size_t *cnt = NULL;
	uint32_t *mark = NULL;
	uint32_t *mark_line = NULL;
	char sb[128];

	if (len > max) {
		rs_error_set("input is %zu bytes, more than the limit of %zu", len, max);
		return RS_ETOOBIG;
	}
	d = calloc(1, sizeof *d);
	if (!d) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	struct ib_scan s = { buf, buf + len, 0 };
	const char *l;
	size_t ll;
	int r, first = 1;
	while ((r = ib_next_line(&s, &l, &ll)) == 1) {
		if (ll == 0)
			continue;
		const char *f[3];
		size_t fl[3];
		size_t nf = ib_split(l, ll, f, fl, 3);
		if (nf != 3) {
			rs_error_set("line %zu: %zu fields where person, item, score (3) are expected",
			             s.line, nf);
			rc = RS_EPARSE;
			goto done;
		}
		if (first && fl[2] == 5 && strncasecmp(f[2], "score", 5) == 0) {
			first = 0;
			continue;
		}
		first = 0;
		if ((rc = ib_check_id("person id", f[0], fl[0], s.line)) ||
		    (rc = ib_check_id("item id", f[1], fl[1], s.line)))
			goto done;
		int score;
		if (fl[2] == 1 && (f[2][0] == '0' || f[2][0] == '1')) {
			score = f[2][0] - '0';
		} else if (ib_is_missing(f[2], fl[2])) {
			continue; /* an explicit "not presented" line */
		} else {
			rs_error_set("line %zu, item '%s': score '%s' is not 0 or 1 (items must be "
			             "dichotomous)", s.line, ib_show(f[1], fl[1], sb, sizeof sb),
			             ib_show(f[2], fl[2], sb + 64, 64));
			rc = RS_EPARSE;
			goto done;
		}
		long p = ib_strmap_get(&pm, f[0], fl[0]);
		if (p < 0) {
			if (d->n_persons >= IB_MAX_PERSONS) {
				rs_error_set("line %zu: more than %u persons", s.line, IB_MAX_PERSONS);
				rc = RS_ETOOBIG;
				goto done;
			}
			if ((rc = ib_grow((void **)&d->person_ids, &cap_pid, d->n_persons + 1, sizeof(char *))))
				goto done;
			char *id = ib_strndup_checked(f[0], fl[0]);
			if (!id) {
				rc = RS_ENOMEM;
				rs_error_set("out of memory");
				goto done;
			}
			d->person_ids[d->n_persons] = id;
			p = (long)d->n_persons++;
			if ((rc = ib_strmap_put(&pm, id, (uint32_t)p)))
				goto done;
		}
		long it = ib_strmap_get(&im, f[1], fl[1]);
		if (it < 0) {
			if (d->n_items >= IB_MAX_ITEMS) {
				rs_error_set("line %zu: more than %u items", s.line, IB_MAX_ITEMS);
				rc = RS_ETOOBIG;
				goto done;
			}
			if ((rc = ib_grow((void **)&d->item_ids, &cap_iid, d->n_items + 1, sizeof(char *))))
				goto done;
			char *id = ib_strndup_checked(f[1], fl[1]);
			if (!id) {
				rc = RS_ENOMEM;
				rs_error_set("out of memory");
				goto done;
			}
			d->item_ids[d->n_items] = id;
			it = (long)d->n_items++;
			if ((rc = ib_strmap_put(&im, id, (uint32_t)it)))
				goto done;
		}
		if (nt >= UINT32_MAX - 1) {
			rs_error_set("line %zu: too many responses", s.line);
			rc = RS_ETOOBIG;
			goto done;
		}
		if ((rc = ib_grow((void **)&t, &cap_t, nt + 1, sizeof *t)))
			goto done;
		t[nt].person = (uint32_t)p;
		t[nt].item = (uint32_t)it;
		t[nt].line = s.line > UINT32_MAX ? UINT32_MAX : (uint32_t)s.line;
		t[nt].score = (uint8_t)score;
		nt++;
	}
	if (r < 0) {
		rc = r;
		goto done;
	}
	if (nt == 0) {
		rs_error_set(s.line == 0 ? "empty file: expected lines of person, item, score"
		                         : "no responses in the file");
		rc = RS_EPARSE;
		goto done;
	}
	/* Counting sort by person into CSR. */
	d->row_start = calloc(d->n_persons + 1, sizeof *d->row_start);
	d->weight = malloc(d->n_persons * sizeof *d->weight);
	d->resp = malloc(nt * sizeof *d->resp);
	cnt = calloc(d->n_persons + 1, sizeof *cnt);
	mark = malloc(d->n_items * sizeof *mark);
	mark_line = malloc(d->n_items * sizeof *mark_line);
	if (!d->row_start || !d->weight || !d->resp || !cnt || !mark || !mark_line) {
		rs_error_set("out of memory arranging %zu responses", nt);
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t k = 0; k < nt; k++)
		d->row_start[t[k].person + 1]++;
	for (size_t i = 0; i < d->n_persons; i++) {
		d->row_start[i + 1] += d->row_start[i];
		d->weight[i] = 1.0;
	}
	uint32_t *lines = malloc(nt * sizeof *lines);
	if (!lines) {
		rs_error_set("out of memory arranging %zu responses", nt);
		rc = RS_ENOMEM;
		goto done;
	}
	for (size_t k = 0; k < nt; k++) {
		size_t pos = d->row_start[t[k].person] + cnt[t[k].person]++;
		d->resp[pos] = IB_RESP(t[k].item, t[k].score);
		lines[pos] = t[k].line;
	}
	d->n_resp = nt;
	for (size_t j = 0; j < d->n_items; j++)
		mark[j] = UINT32_MAX;
	for (size_t i = 0; i < d->n_persons && !rc; i++) {
		for (size_t k = d->row_start[i]; k < d->row_start[i + 1]; k++) {
			uint32_t j = IB_RESP_ITEM(d->resp[k]);
			if (mark[j] == (uint32_t)i) {
				rs_error_set("line %u: person '%s' answered item '%s' again (first on line %u)",
				             lines[k], d->person_ids[i], d->item_ids[j], mark_line[j]);
				rc = RS_EPARSE;
				break;
			}
			mark[j] = (uint32_t)i;
			mark_line[j] = lines[k];
		}
	}
	free(lines);
done:
	free(t);
	free(cnt);
	free(mark);
	free(mark_line);
	ib_strmap_free(&pm);
	ib_strmap_free(&im);
	if (rc) {
		ib_data_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

int ib_data_load(struct ib_data **out, const char *path, int is_long,
                 const struct ib_read_opts *opts)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = ib_read_file(&buf, &len, path, opts ? opts->max_bytes : 0);
	if (rc)
		return rc;
	rc = is_long ? ib_data_read_long(out, buf, len, opts) : ib_data_read_wide(out, buf, len, opts);
	free(buf);
	if (rc) {
		char msg[600];
		snprintf(msg, sizeof msg, "%s", rs_error_last());
		rs_error_set("%s: %s", path, msg);
	}
	return rc;
}
