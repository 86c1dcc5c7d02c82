/* Who may talk to riss-signd: the peer's uid and gid (SO_PEERCRED) against the configured
 * lists. The socket's file mode is the first fence; this is the second, so a mistaken
 * chmod does not hand out the issuer's signature. */
#include "cert_signd.h"

#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

/* Whether id is in list (comma separated; numbers or names resolved with lookup). */
static int cert_signd_in_list(unsigned id, const char *list, int groups)
{
	char item[64];
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			n--;
		}
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n > 0 && n < sizeof item) {
			memcpy(item, p, n);
			item[n] = '\0';
			char *num_end;
			unsigned long v = strtoul(item, &num_end, 10);
			if (*num_end == '\0') {
				if (v == id)
					return 1;
			} else if (groups) {
				struct group *g = getgrnam(item);
				if (g && g->gr_gid == id)
					return 1;
			} else {
				struct passwd *pw = getpwnam(item);
				if (pw && pw->pw_uid == id)
					return 1;
			}
		}
		p = end ? end + 1 : p + n;
		if (!end)
			break;
	}
	return 0;
}

int cert_signd_peer_allowed(unsigned uid, unsigned gid, unsigned self_uid, const char *allow_uids,
                            const char *allow_gids)
{
	return uid == self_uid || cert_signd_in_list(uid, allow_uids, 0) || cert_signd_in_list(gid, allow_gids, 1);
}
