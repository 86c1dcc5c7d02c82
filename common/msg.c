/* Looking up and filling in catalogue messages. */
#include "rs_msg.h"

#include <stdlib.h>
#include <string.h>

static int rs_msg_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct rs_msg *)elem)->id);
}

const struct rs_msg *rs_msg_find(const char *id)
{
	if (!id)
		return NULL;
	return bsearch(id, rs_msg_table, rs_msg_table_len, sizeof rs_msg_table[0], rs_msg_cmp);
}

const char *rs_msg_text(const char *id, int en)
{
	const struct rs_msg *m = rs_msg_find(id);
	return m ? (en ? m->en : m->ja) : NULL;
}

/* Length of s[0..len) without a UTF-8 sequence cut off at its end. */
static size_t rs_msg_utf8_trim(const char *s, size_t len)
{
	size_t j = len;
	while (j > 0 && ((unsigned char)s[j - 1] & 0xC0) == 0x80 && len - j < 3)
		j--;
	if (j == 0)
		return len;
	unsigned char lead = (unsigned char)s[j - 1];
	size_t want = lead < 0x80 ? 1 : (lead & 0xE0) == 0xC0 ? 2 : (lead & 0xF0) == 0xE0 ? 3 : 4;
	return (j - 1) + want > len ? j - 1 : len;
}

size_t rs_msg_subst(char *out, size_t n, const char *tmpl, const char *const *args)
{
	size_t nargs = 0, len = 0;
	int cut = 0;
	while (args && args[nargs])
		nargs++;
	if (n == 0)
		return 0;
	for (const char *p = tmpl; *p; p++) {
		const char *ins = NULL;
		size_t k = 1;
		if (p[0] == '{' && p[1] >= '0' && p[1] <= '9' && p[2] == '}' && (size_t)(p[1] - '0') < nargs) {
			ins = args[p[1] - '0'];
			k = strlen(ins);
		}
		if (k > n - 1 - len) {
			k = n - 1 - len;
			cut = 1;
		}
		memcpy(out + len, ins ? ins : p, k);
		len += k;
		if (ins)
			p += 2;
		if (cut)
			break;
	}
	if (cut)
		len = rs_msg_utf8_trim(out, len);
	out[len] = '\0';
	return len;
}

size_t rs_msg_format(char *out, size_t n, const char *id, int en, const char *const *args)
{
	const char *t = rs_msg_text(id, en);
	return rs_msg_subst(out, n, t ? t : (id ? id : ""), args);
}
