/* Loading and reading settings described by rs_cfg_table. */
#include "rs_config.h"
#include "rs_error.h"
#include "rs_util.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define RS_CFG_MAX 64
#define RS_CFG_FILE_MAX (1 << 20)

static char *rs_cfg_values[RS_CFG_MAX];
/* 1 when the value came from a file, the environment or --set (not the table's default). */
static unsigned char rs_cfg_given[RS_CFG_MAX];

static int rs_cfg_index(const char *name)
{
	for (int i = 0; rs_cfg_table[i].name; i++)
		if (strcmp(rs_cfg_table[i].name, name) == 0)
			return i;
	return -1;
}

static int rs_cfg_parse_bool(const char *v, int *out)
{
	if (!strcasecmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "yes") || !strcasecmp(v, "on")) {
		*out = 1;
		return 0;
	}
	if (!strcasecmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "no") || !strcasecmp(v, "off")) {
		*out = 0;
		return 0;
	}
	return -1;
}

static int rs_cfg_store(int i, const char *value)
{
	char *copy = strdup(value);
	if (!copy) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	free(rs_cfg_values[i]);
	rs_cfg_values[i] = copy;
	return 0;
}

void rs_config_reset(void)
{
	for (int i = 0; rs_cfg_table[i].name; i++) {
		assert(i < RS_CFG_MAX);
		free(rs_cfg_values[i]);
		rs_cfg_values[i] = strdup(rs_cfg_table[i].def);
		rs_cfg_given[i] = 0;
	}
}

int rs_config_set(const char *name, const char *value, const char *origin)
{
	int i = rs_cfg_index(name);
	if (i < 0) {
		rs_error_set("%s: unknown setting '%s' (see --print-config)", origin, name);
		return RS_EINVAL;
	}
	const struct rs_cfg_def *d = &rs_cfg_table[i];
	switch (d->type) {
	case RS_CFG_INT: {
		char *end;
		errno = 0;
		long long v = strtoll(value, &end, 10);
		if (errno || end == value || *end != '\0') {
			rs_error_set("%s: setting '%s' needs a whole number, not '%s'", origin, name, value);
			return RS_EINVAL;
		}
		if (v < d->min || v > d->max) {
			rs_error_set("%s: setting '%s' is %lld, outside %lld..%lld", origin, name, v, d->min, d->max);
			return RS_EINVAL;
		}
		break;
	}
	case RS_CFG_BOOL: {
		int b;
		if (rs_cfg_parse_bool(value, &b) != 0) {
			rs_error_set("%s: setting '%s' needs true or false, not '%s'", origin, name, value);
			return RS_EINVAL;
		}
		value = b ? "true" : "false";
		break;
	}
	case RS_CFG_STR:
		if ((long long)strlen(value) > d->max) {
			rs_error_set("%s: setting '%s' is longer than %lld characters", origin, name, d->max);
			return RS_EINVAL;
		}
		break;
	}
	int rc = rs_cfg_store(i, value);
	if (rc == 0)
		rs_cfg_given[i] = 1;
	return rc;
}

int rs_config_is_set(const char *name)
{
	int i = rs_cfg_index(name);
	assert(i >= 0);
	return rs_cfg_given[i];
}

static char *rs_cfg_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

int rs_config_load_text(const char *data, size_t len, const char *path)
{
	if (len > RS_CFG_FILE_MAX) {
		rs_error_set("%s: larger than %d bytes", path, RS_CFG_FILE_MAX);
		return RS_ETOOBIG;
	}
	if (memchr(data, '\0', len)) {
		rs_error_set("%s: the file contains a NUL byte", path);
		return RS_EINVAL;
	}
	char *text = malloc(len + 1);
	if (!text) {
		rs_error_set("out of memory");
		return RS_ENOMEM;
	}
	memcpy(text, data, len);
	text[len] = '\0';
	int rc = 0, lineno = 0;
	char *line = text;
	while (line && *line) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *t = rs_cfg_trim(line);
		line = next;
		if (*t == '\0')
			continue;
		char *eq = strchr(t, '=');
		char origin[4200];
		snprintf(origin, sizeof origin, "%s:%d", path, lineno);
		if (!eq) {
			rs_error_set("%s: expected 'name = value'", origin);
			rc = RS_EINVAL;
			break;
		}
		*eq = '\0';
		char *name = rs_cfg_trim(t), *value = rs_cfg_trim(eq + 1);
		size_t vl = strlen(value);
		if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"') {
			value[vl - 1] = '\0';
			value++;
		}
		rc = rs_config_set(name, value, origin);
		if (rc != 0)
			break;
	}
	free(text);
	return rc;
}

int rs_config_load_file(const char *path)
{
	char *text = NULL;
	size_t len;
	int rc = rs_read_file(&text, &len, path, RS_CFG_FILE_MAX);
	if (rc != 0)
		return rc;
	rc = rs_config_load_text(text, len, path);
	free(text);
	return rc;
}

int rs_config_load_env(void)
{
	for (int i = 0; rs_cfg_table[i].name; i++) {
		char var[96] = "RISS_";
		size_t n = 5;
		for (const char *p = rs_cfg_table[i].name; *p && n < sizeof var - 1; p++)
			var[n++] = (char)toupper((unsigned char)*p);
		var[n] = '\0';
		const char *v = getenv(var);
		if (v) {
			int rc = rs_config_set(rs_cfg_table[i].name, v, var);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

int rs_config_init(const char *path)
{
	rs_config_reset();
	if (!path)
		path = getenv("RISS_CONFIG");
	if (path) {
		int rc = rs_config_load_file(path);
		if (rc != 0)
			return rc;
	} else if (access(RS_CONFIG_DEFAULT_PATH, R_OK) == 0) {
		int rc = rs_config_load_file(RS_CONFIG_DEFAULT_PATH);
		if (rc != 0)
			return rc;
	}
	return rs_config_load_env();
}

const char *rs_config_str(const char *name)
{
	int i = rs_cfg_index(name);
	assert(i >= 0);
	if (!rs_cfg_values[i])
		rs_config_reset();
	return rs_cfg_values[i];
}

long long rs_config_int(const char *name)
{
	assert(rs_cfg_table[rs_cfg_index(name)].type == RS_CFG_INT);
	return strtoll(rs_config_str(name), NULL, 10);
}

int rs_config_bool(const char *name)
{
	assert(rs_cfg_table[rs_cfg_index(name)].type == RS_CFG_BOOL);
	return strcmp(rs_config_str(name), "true") == 0;
}

void rs_config_print(FILE *f)
{
	for (int i = 0; rs_cfg_table[i].name; i++) {
		const struct rs_cfg_def *d = &rs_cfg_table[i];
		const char *v = rs_config_str(d->name);
		fprintf(f, "# %s", d->help);
		if (d->type == RS_CFG_INT)
			fprintf(f, " (%lld..%lld)", d->min, d->max);
		fprintf(f, "; default %s%s%s\n", d->type == RS_CFG_STR ? "\"" : "", d->def, d->type == RS_CFG_STR ? "\"" : "");
		if (d->secret && v[0])
			fprintf(f, "%s = \"(set, hidden)\"\n", d->name);
		else if (d->type == RS_CFG_STR)
			fprintf(f, "%s = \"%s\"\n", d->name, v);
		else
			fprintf(f, "%s = %s\n", d->name, v);
	}
}
