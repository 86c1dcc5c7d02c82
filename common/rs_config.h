/* The configuration table: every setting is one row (name, type, bounds, default, help).
 * The same table parses the file, reads RISS_* environment variables, takes --set flags,
 * prints --print-config and documents the settings (redis config.c style). */
#ifndef RS_CONFIG_H
#define RS_CONFIG_H

#include <stddef.h>
#include <stdio.h>

enum rs_cfg_type { RS_CFG_STR, RS_CFG_INT, RS_CFG_BOOL };

struct rs_cfg_def {
	const char *name;      /* lower_snake; environment variable is RISS_<NAME> */
	enum rs_cfg_type type;
	long long min, max;    /* bounds for RS_CFG_INT; maximum length for RS_CFG_STR */
	const char *def;       /* default, as text */
	int secret;            /* never printed in full */
	const char *help;      /* one line for --print-config and docs */
};

/* The settings, ending with a row whose name is NULL. */
extern const struct rs_cfg_def rs_cfg_table[];

/* Default path of the file that ./deploy/dev writes for the private stack. */
#define RS_CONFIG_DEFAULT_PATH "var/riss.conf"

/* Reset every setting to its default. */
void rs_config_reset(void);
/* Set one setting from text; origin ("var/riss.conf:3", "RISS_HTTP_PORT", "--set") goes
 * into the error message. RS_EINVAL for an unknown name or a value out of bounds. */
int rs_config_set(const char *name, const char *value, const char *origin);
/* Parse len bytes of config text (path names it in messages); the parser behind
 * rs_config_load_file. RS_ETOOBIG past 1 MiB, RS_EINVAL on a bad line. */
int rs_config_load_text(const char *data, size_t len, const char *path);
/* Read "name = value" lines ('#' comments). RS_EIO when unreadable, RS_EINVAL on a bad line. */
int rs_config_load_file(const char *path);
/* Apply every RISS_<NAME> environment variable that names a setting. */
int rs_config_load_env(void);
/* Defaults, then the file (path, or $RISS_CONFIG, or var/riss.conf when it exists), then
 * the environment. A path given explicitly must exist. */
int rs_config_init(const char *path);
/* Typed reads; the name must be in the table (asserted). */
const char *rs_config_str(const char *name);
long long rs_config_int(const char *name);
int rs_config_bool(const char *name);
/* 1 when the setting was given (file, environment, --set), 0 when it has its default. */
int rs_config_is_set(const char *name);
/* Print every setting as "name = value  # help" (secrets masked). */
void rs_config_print(FILE *f);

#endif
