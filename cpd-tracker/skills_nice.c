/* cpd-tracker: the reader of NIST's JSON export of a framework release (the CPRT form the
 * NICE Framework Components are published in). Pure and size-bounded; a malformed release
 * is refused with the line and the field. */
#include "cpd_skills.h"

#include "rs_error.h"
#include "rs_json.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Line of each object directly inside an array under the key "elements" (the element
 * records), in order: a small scanner that follows strings and nesting only. *out_n
 * lines in *out (caller frees). */
static int cpd_sk_element_lines(int **out, size_t *out_n, const char *s, size_t len)
{
	enum { MAXD = 64 };
	char kind[MAXD];     /* '{' or '[' per depth */
	int is_elems[MAXD];  /* the array's key was "elements" */
	int depth = 0, line = 1;
	char key[16] = "";
	size_t cap = 64, n = 0;
	int *lines = malloc(cap * sizeof *lines);
	if (!lines)
		return RS_ENOMEM;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];
		if (ch == '\n') {
			line++;
		} else if (ch == '"') {
			size_t st = ++i;
			while (i < len && s[i] != '"') {
				if (s[i] == '\\')
					i++;
				else if (s[i] == '\n')
					line++;
				i++;
			}
			size_t sl = i - st;
			/* a string followed by ':' is a key */
			size_t j = i + 1;
			while (j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n'))
				j++;
			if (j < len && s[j] == ':')
				snprintf(key, sizeof key, "%.*s", sl < sizeof key ? (int)sl : 0, s + st);
		} else if (ch == '{' || ch == '[') {
			if (depth > 0 && kind[depth - 1] == '[' && is_elems[depth - 1] && ch == '{') {
				if (n == cap) {
					int *nl = realloc(lines, (cap *= 2) * sizeof *nl);
					if (!nl) {
						free(lines);
						return RS_ENOMEM;
					}
					lines = nl;
				}
				lines[n++] = line;
			}
			if (depth < MAXD) {
				kind[depth] = ch;
				is_elems[depth] = ch == '[' && strcmp(key, "elements") == 0;
			}
			depth++;
			key[0] = '\0';
		} else if (ch == '}' || ch == ']') {
			if (depth > 0)
				depth--;
			key[0] = '\0';
		} else if (ch == ',') {
			key[0] = '\0';
		}
	}
	*out = lines;
	*out_n = n;
	return 0;
}

static int cpd_sk_field_err(int line, const char *field)
{
	char l[16];
	snprintf(l, sizeof l, "%d", line);
	rs_error_msg("skills.import_field", l, field, NULL);
	return RS_EINVAL;
}

static int cpd_sk_match(const char *re_text, const char *s)
{
	regex_t re;
	if (regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB) != 0)
		return 0;
	int ok = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

int cpd_skills_nice_parse(json_t **out, const char *text, size_t len)
{
	json_t *root = NULL;
	int rc = rs_json_parse(&root, text, len, CPD_SKILLS_IMPORT_MAX);
	if (rc != 0)
		return rc;
	int *lines = NULL;
	size_t nlines = 0;
	rc = cpd_sk_element_lines(&lines, &nlines, text, len);
	json_t *res = NULL;
	if (rc != 0)
		goto done;
	json_t *cprt = root;
	json_t *resp = json_object_get(root, "response");
	if (json_is_object(resp) && json_is_object(json_object_get(resp, "elements")))
		cprt = json_object_get(resp, "elements");
	json_t *docs = json_object_get(cprt, "documents"), *els = json_object_get(cprt, "elements");
	if (!json_is_array(docs) || json_array_size(docs) < 1) {
		rc = cpd_sk_field_err(1, "documents");
		goto done;
	}
	if (!json_is_array(els) || json_array_size(els) < 1) {
		rc = cpd_sk_field_err(1, "elements");
		goto done;
	}
	json_t *doc = json_array_get(docs, 0);
	const char *docid = json_string_value(json_object_get(doc, "doc_identifier"));
	const char *ver = json_string_value(json_object_get(doc, "version"));
	const char *name = json_string_value(json_object_get(doc, "name"));
	if (!docid || !docid[0]) {
		rc = cpd_sk_field_err(1, "documents[0].doc_identifier");
		goto done;
	}
	if (!ver || !cpd_sk_match("^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$", ver)) {
		rc = cpd_sk_field_err(1, "documents[0].version");
		goto done;
	}
	res = json_pack("{s:s, s:s, s:s, s:[]}", "doc_identifier", docid, "version", ver, "name", name ? name : docid,
	                "elements");
	json_t *outs = json_object_get(res, "elements");
	size_t i;
	json_t *e;
	json_array_foreach(els, i, e) {
		int line = i < nlines ? lines[i] : 1;
		char field[64];
		if (!json_is_object(e)) {
			snprintf(field, sizeof field, "elements[%zu]", i);
			rc = cpd_sk_field_err(line, field);
			goto done;
		}
		const char *d = json_string_value(json_object_get(e, "doc_identifier"));
		const char *type = json_string_value(json_object_get(e, "element_type"));
		const char *id = json_string_value(json_object_get(e, "element_identifier"));
		const char *title = json_string_value(json_object_get(e, "title"));
		const char *body = json_string_value(json_object_get(e, "text"));
		if (d && strcmp(d, docid) != 0)
			continue; /* an element of another document the export carries along */
		if (!type || !cpd_sk_match("^[a-z][a-z_]{1,29}$", type)) {
			snprintf(field, sizeof field, "elements[%zu].element_type", i);
			rc = cpd_sk_field_err(line, field);
			goto done;
		}
		if (!id || !cpd_sk_match("^[A-Za-z0-9][A-Za-z0-9._:-]{0,39}$", id)) {
			snprintf(field, sizeof field, "elements[%zu].element_identifier", i);
			rc = cpd_sk_field_err(line, field);
			goto done;
		}
		if (json_object_get(e, "title") && (!title || strlen(title) > 300)) {
			snprintf(field, sizeof field, "elements[%zu].title", i);
			rc = cpd_sk_field_err(line, field);
			goto done;
		}
		if (json_object_get(e, "text") && (!body || strlen(body) > 4000)) {
			snprintf(field, sizeof field, "elements[%zu].text", i);
			rc = cpd_sk_field_err(line, field);
			goto done;
		}
		if ((!title || !title[0]) && (!body || !body[0])) {
			snprintf(field, sizeof field, "elements[%zu].title", i);
			rc = cpd_sk_field_err(line, field);
			goto done;
		}
		/* A statement (task, knowledge, skill) has its words in text and no title. */
		const char *t = title && title[0] ? title : (strlen(body) <= 300 ? body : id);
		json_t *o = json_pack("{s:s, s:s, s:s}", "ident", id, "kind", type, "title_en", t);
		if (body && body[0])
			json_object_set_new(o, "body_en", json_string(body));
		json_array_append_new(outs, o);
	}
	if (json_array_size(outs) == 0) {
		rc = cpd_sk_field_err(1, "elements");
		goto done;
	}
done:
	free(lines);
	json_decref(root);
	if (rc != 0) {
		json_decref(res);
		return rc;
	}
	*out = res;
	return 0;
}
