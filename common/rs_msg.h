/* The message catalogue: every sentence a person reads, in Japanese and English, from one
 * source (the TSV files in common/messages/, built into rs_msg_table at compile time). Placeholders
 * {0}..{9} stand for the arguments, in either language's order. */
#ifndef RS_MSG_H
#define RS_MSG_H

#include <stddef.h>

struct rs_msg {
	const char *id; /* stable id, e.g. "problem.not-found" */
	const char *ja;
	const char *en;
};

extern const struct rs_msg rs_msg_table[]; /* sorted by id (strcmp) */
extern const unsigned rs_msg_table_len;

/* The entry with this id, or NULL. */
const struct rs_msg *rs_msg_find(const char *id);
/* The template of id in English (en != 0) or Japanese; NULL when id is unknown. */
const char *rs_msg_text(const char *id, int en);
/* Write the text of id with {k} replaced by args[k] (args NULL-terminated, may be NULL; a
 * missing argument leaves "{k}") into out (always terminated, truncated to n). An unknown
 * id writes the id itself. Returns the length written. */
size_t rs_msg_format(char *out, size_t n, const char *id, int en, const char *const *args);
/* Format a template (not an id) the same way. */
size_t rs_msg_subst(char *out, size_t n, const char *tmpl, const char *const *args);

#endif
