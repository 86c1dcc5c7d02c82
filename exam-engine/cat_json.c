/* exam-engine: a small bounded JSON reader (RFC 8259) into a flat node array, so that the
 * engine can read exam definitions and bank lines with libc alone. */
#include "cat_internal.h"

#include <stdlib.h>
#include <string.h>

struct cat_jp {
	struct cat_json *j;
	const char *p, *end;
	int depth;
};

static int cat_jerr(struct cat_jp *st, const char *what, const char *text)
{
	cat_error_set("JSON: %s at byte %zu", what, (size_t)(st->p - text));
	return CAT_EPARSE;
}

static void cat_jws(struct cat_jp *st)
{
	while (st->p < st->end && (*st->p == ' ' || *st->p == '\t' || *st->p == '\n' || *st->p == '\r'))
		st->p++;
}

static int cat_jnew(struct cat_jp *st, enum cat_json_type t)
{
	struct cat_json *j = st->j;
	if (j->n >= CAT_JSON_MAX_NODES)
		return -1;
	if (j->n == j->cap) {
		int nc = j->cap ? j->cap * 2 : 64;
		struct cat_jnode *nn = realloc(j->nodes, (size_t)nc * sizeof *nn);
		if (!nn)
			return -1;
		j->nodes = nn;
		j->cap = nc;
	}
	struct cat_jnode *n = &j->nodes[j->n];
	memset(n, 0, sizeof *n);
	n->type = t;
	n->first = n->next = -1;
	return j->n++;
}

/* Append bytes to the string area; returns offset or (size_t)-1. */
static int cat_jput(struct cat_json *j, const char *s, size_t n)
{
	if (j->slen + n + 1 > j->scap) {
		size_t nc = j->scap ? j->scap : 256;
		while (nc < j->slen + n + 1)
			nc *= 2;
		char *ns = realloc(j->strs, nc);
		if (!ns)
			return -1;
		j->strs = ns;
		j->scap = nc;
	}
	memcpy(j->strs + j->slen, s, n);
	j->slen += n;
	return 0;
}

static int cat_jhex(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return -1;
	}
	*out = v;
	return 0;
}

/* Parses a string at st->p ('"'); stores offset of its NUL-terminated copy in *off. */
static int cat_jstring(struct cat_jp *st, const char *text, size_t *off)
{
	struct cat_json *j = st->j;
	st->p++;
	*off = j->slen;
	while (1) {
		if (st->p >= st->end)
			return cat_jerr(st, "unterminated string", text);
		unsigned char c = (unsigned char)*st->p;
		if (c == '"') {
			st->p++;
			break;
		}
		if (c < 0x20)
			return cat_jerr(st, "control character in string", text);
		if (c == '\\') {
			if (st->end - st->p < 2)
				return cat_jerr(st, "bad escape", text);
			char e = st->p[1], ch;
			st->p += 2;
			switch (e) {
			case '"': ch = '"'; break;
			case '\\': ch = '\\'; break;
			case '/': ch = '/'; break;
			case 'b': ch = '\b'; break;
			case 'f': ch = '\f'; break;
			case 'n': ch = '\n'; break;
			case 'r': ch = '\r'; break;
			case 't': ch = '\t'; break;
			case 'u': {
				unsigned u;
				if (st->end - st->p < 4 || cat_jhex(st->p, &u))
					return cat_jerr(st, "bad \\u escape", text);
				st->p += 4;
				if (u >= 0xD800 && u <= 0xDBFF) {
					unsigned lo;
					if (st->end - st->p < 6 || st->p[0] != '\\' || st->p[1] != 'u' ||
					    cat_jhex(st->p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
						return cat_jerr(st, "unpaired surrogate", text);
					st->p += 6;
					u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
				} else if (u >= 0xDC00 && u <= 0xDFFF) {
					return cat_jerr(st, "unpaired surrogate", text);
				}
				if (u == 0)
					return cat_jerr(st, "NUL in string", text);
				char b[4];
				size_t nb;
				if (u < 0x80) { b[0] = (char)u; nb = 1; }
				else if (u < 0x800) { b[0] = (char)(0xC0 | (u >> 6)); b[1] = (char)(0x80 | (u & 0x3F)); nb = 2; }
				else if (u < 0x10000) { b[0] = (char)(0xE0 | (u >> 12)); b[1] = (char)(0x80 | ((u >> 6) & 0x3F)); b[2] = (char)(0x80 | (u & 0x3F)); nb = 3; }
				else { b[0] = (char)(0xF0 | (u >> 18)); b[1] = (char)(0x80 | ((u >> 12) & 0x3F)); b[2] = (char)(0x80 | ((u >> 6) & 0x3F)); b[3] = (char)(0x80 | (u & 0x3F)); nb = 4; }
				if (cat_jput(j, b, nb))
					return CAT_ENOMEM;
				continue;
			}
			default:
				return cat_jerr(st, "bad escape", text);
			}
			if (cat_jput(j, &ch, 1))
				return CAT_ENOMEM;
			continue;
		}
		/* UTF-8: validate the sequence length and continuation bytes. */
		size_t nb = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
		if (nb == 0 || (c == 0xC0 || c == 0xC1) || c > 0xF4 || (size_t)(st->end - st->p) < nb)
			return cat_jerr(st, "invalid UTF-8", text);
		for (size_t k = 1; k < nb; k++)
			if (((unsigned char)st->p[k] & 0xC0) != 0x80)
				return cat_jerr(st, "invalid UTF-8", text);
		if (cat_jput(j, st->p, nb))
			return CAT_ENOMEM;
		st->p += nb;
	}
	if (cat_jput(j, "", 1))
		return CAT_ENOMEM;
	return 0;
}

static int cat_jnumber(struct cat_jp *st, const char *text, double *out)
{
	const char *s = st->p;
	char buf[64];
	size_t n = 0;
	if (st->p < st->end && *st->p == '-') st->p++;
	if (st->p >= st->end)
		return cat_jerr(st, "bad number", text);
	if (*st->p == '0') st->p++;
	else if (*st->p >= '1' && *st->p <= '9') while (st->p < st->end && *st->p >= '0' && *st->p <= '9') st->p++;
	else return cat_jerr(st, "bad number", text);
	if (st->p < st->end && *st->p == '.') {
		st->p++;
		if (st->p >= st->end || *st->p < '0' || *st->p > '9')
			return cat_jerr(st, "bad number", text);
		while (st->p < st->end && *st->p >= '0' && *st->p <= '9') st->p++;
	}
	if (st->p < st->end && (*st->p == 'e' || *st->p == 'E')) {
		st->p++;
		if (st->p < st->end && (*st->p == '+' || *st->p == '-')) st->p++;
		if (st->p >= st->end || *st->p < '0' || *st->p > '9')
			return cat_jerr(st, "bad number", text);
		while (st->p < st->end && *st->p >= '0' && *st->p <= '9') st->p++;
	}
	n = (size_t)(st->p - s);
	if (n >= sizeof buf)
		return cat_jerr(st, "number too long", text);
	memcpy(buf, s, n);
	buf[n] = 0;
	*out = strtod(buf, NULL);
	return 0;
}

static int cat_jvalue(struct cat_jp *st, const char *text, int *out_idx);

static int cat_jcontainer(struct cat_jp *st, const char *text, int idx, int is_obj)
{
	char close = is_obj ? '}' : ']';
	int prev = -1, rc;
	st->p++;
	if (++st->depth > CAT_JSON_MAX_DEPTH)
		return cat_jerr(st, "nesting too deep", text);
	cat_jws(st);
	if (st->p < st->end && *st->p == close) {
		st->p++;
		st->depth--;
		return 0;
	}
	while (1) {
		size_t koff = 0;
		cat_jws(st);
		if (is_obj) {
			if (st->p >= st->end || *st->p != '"')
				return cat_jerr(st, "expected member name", text);
			if ((rc = cat_jstring(st, text, &koff)))
				return rc;
			cat_jws(st);
			if (st->p >= st->end || *st->p != ':')
				return cat_jerr(st, "expected ':'", text);
			st->p++;
		}
		int child;
		if ((rc = cat_jvalue(st, text, &child)))
			return rc;
		struct cat_jnode *cn = &st->j->nodes[child];
		cn->key = is_obj ? (const char *)(uintptr_t)(koff + 1) : NULL; /* fixed up at the end */
		if (prev < 0) st->j->nodes[idx].first = child;
		else st->j->nodes[prev].next = child;
		prev = child;
		st->j->nodes[idx].count++;
		cat_jws(st);
		if (st->p < st->end && *st->p == ',') {
			st->p++;
			continue;
		}
		if (st->p < st->end && *st->p == close) {
			st->p++;
			break;
		}
		return cat_jerr(st, is_obj ? "expected ',' or '}'" : "expected ',' or ']'", text);
	}
	st->depth--;
	return 0;
}

static int cat_jvalue(struct cat_jp *st, const char *text, int *out_idx)
{
	cat_jws(st);
	if (st->p >= st->end)
		return cat_jerr(st, "unexpected end", text);
	int idx, rc;
	char c = *st->p;
	if (c == '{' || c == '[') {
		if ((idx = cat_jnew(st, c == '{' ? CAT_JOBJ : CAT_JARR)) < 0)
			goto toobig;
		if ((rc = cat_jcontainer(st, text, idx, c == '{')))
			return rc;
	} else if (c == '"') {
		if ((idx = cat_jnew(st, CAT_JSTR)) < 0)
			goto toobig;
		size_t off;
		if ((rc = cat_jstring(st, text, &off)))
			return rc;
		st->j->nodes[idx].str = (const char *)(uintptr_t)(off + 1);
	} else if (c == '-' || (c >= '0' && c <= '9')) {
		if ((idx = cat_jnew(st, CAT_JNUM)) < 0)
			goto toobig;
		double v;
		if ((rc = cat_jnumber(st, text, &v)))
			return rc;
		st->j->nodes[idx].num = v;
	} else {
		static const struct { const char *w; enum cat_json_type t; } lit[] = {
			{ "true", CAT_JTRUE }, { "false", CAT_JFALSE }, { "null", CAT_JNULL } };
		size_t k;
		for (k = 0; k < 3; k++) {
			size_t l = strlen(lit[k].w);
			if ((size_t)(st->end - st->p) >= l && memcmp(st->p, lit[k].w, l) == 0) {
				st->p += l;
				break;
			}
		}
		if (k == 3)
			return cat_jerr(st, "unexpected character", text);
		if ((idx = cat_jnew(st, lit[k].t)) < 0)
			goto toobig;
	}
	*out_idx = idx;
	return 0;
toobig:
	cat_error_set("JSON: too many values (limit %d) or out of memory", CAT_JSON_MAX_NODES);
	return CAT_ETOOBIG;
}

int cat_json_parse(struct cat_json *out, const char *text, size_t len)
{
	memset(out, 0, sizeof *out);
	if (len > CAT_JSON_MAX_BYTES) {
		cat_error_set("JSON: document larger than %u bytes", CAT_JSON_MAX_BYTES);
		return CAT_ETOOBIG;
	}
	struct cat_jp st = { .j = out, .p = text, .end = text + len };
	int root, rc = cat_jvalue(&st, text, &root);
	if (rc)
		return rc;
	cat_jws(&st);
	if (st.p != st.end)
		return cat_jerr(&st, "trailing characters after the value", text);
	if (cat_jput(out, "", 1))
		return CAT_ENOMEM;
	/* String offsets were stored +1 (so NULL stays NULL); turn them into pointers now that
	 * the string area no longer moves. */
	for (int i = 0; i < out->n; i++) {
		struct cat_jnode *n = &out->nodes[i];
		if (n->key) n->key = out->strs + ((uintptr_t)n->key - 1);
		if (n->str) n->str = out->strs + ((uintptr_t)n->str - 1);
	}
	return 0;
}

void cat_json_free(struct cat_json *j)
{
	if (!j)
		return;
	free(j->nodes);
	free(j->strs);
	memset(j, 0, sizeof *j);
}

const struct cat_jnode *cat_json_child(const struct cat_json *j, const struct cat_jnode *n, int i)
{
	if (!n || (n->type != CAT_JARR && n->type != CAT_JOBJ))
		return NULL;
	int c = n->first;
	while (c >= 0 && i-- > 0)
		c = j->nodes[c].next;
	return c >= 0 ? &j->nodes[c] : NULL;
}

const struct cat_jnode *cat_json_get(const struct cat_json *j, const struct cat_jnode *obj, const char *key)
{
	if (!obj || obj->type != CAT_JOBJ)
		return NULL;
	for (int c = obj->first; c >= 0; c = j->nodes[c].next)
		if (strcmp(j->nodes[c].key, key) == 0)
			return &j->nodes[c];
	return NULL;
}
