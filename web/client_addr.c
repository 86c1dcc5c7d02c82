/* The client's address, for rate limits and the access log: the TCP peer, or — only when the
 * peer is one of the configured trusted_proxies (nginx, HAProxy) — the nearest address in
 * X-Forwarded-For that is not itself a trusted proxy. A client cannot choose its bucket by
 * sending the header itself, and behind a proxy clients do not all share the proxy's. */
#include "web.h"

#include "rs_config.h"
#include "rs_log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct web_netlist web_proxies;
static pthread_once_t web_proxies_once = PTHREAD_ONCE_INIT;

/* Parse an IPv4 or IPv6 literal into 16 bytes; 0 on success. */
static int web_addr_parse(unsigned char out[16], const char *text)
{
	struct in_addr a4;
	struct in6_addr a6;
	if (inet_pton(AF_INET, text, &a4) == 1) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &a4, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, text, &a6) == 1) {
		memcpy(out, &a6, 16);
		return 0;
	}
	return -1;
}

int web_netlist_parse(struct web_netlist *out, const char *list)
{
	struct web_netlist l;
	memset(&l, 0, sizeof l);
	char item[80];
	for (const char *p = list; p && *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n && *p == ' ') {
			p++;
			n--;
		}
		while (n && p[n - 1] == ' ')
			n--;
		if (n) {
			if (n >= sizeof item || l.n == WEB_NETLIST_MAX)
				return -1;
			memcpy(item, p, n);
			item[n] = '\0';
			struct web_net *w = &l.net[l.n];
			char *slash = strchr(item, '/');
			int v4 = strchr(item, ':') == NULL;
			w->bits = 128;
			if (slash) {
				*slash = '\0';
				char *e;
				long b = strtol(slash + 1, &e, 10);
				if (*e || slash[1] == '\0' || b < 0 || b > (v4 ? 32 : 128))
					return -1;
				w->bits = (int)b + (v4 ? 96 : 0);
			}
			if (web_addr_parse(w->addr, item) != 0)
				return -1;
			l.n++;
		}
		if (!end)
			break;
		p = end + 1;
	}
	*out = l;
	return 0;
}

int web_proxies_parse(const char *list)
{
	return web_netlist_parse(&web_proxies, list);
}

static void web_proxies_init(void)
{
	if (web_proxies_parse(rs_config_str("trusted_proxies")) != 0) {
		rs_warn("trusted_proxies \"%s\" is not a list of addresses or networks; trusting no proxy",
		        rs_config_str("trusted_proxies"));
		web_proxies.n = 0;
	}
}

static int web_netlist_has_raw(const struct web_netlist *l, const unsigned char a[16])
{
	for (int i = 0; i < l->n; i++) {
		const struct web_net *w = &l->net[i];
		int full = w->bits / 8, rest = w->bits % 8;
		if (memcmp(a, w->addr, (size_t)full) != 0)
			continue;
		if (rest && ((a[full] ^ w->addr[full]) & (0xff << (8 - rest)) & 0xff))
			continue;
		return 1;
	}
	return 0;
}

int web_netlist_has(const struct web_netlist *l, const char *ip)
{
	unsigned char a[16];
	return ip && web_addr_parse(a, ip) == 0 && web_netlist_has_raw(l, a);
}

static int web_is_proxy(const unsigned char a[16])
{
	return web_netlist_has_raw(&web_proxies, a);
}

/* Text form of a 16-byte address (IPv4-mapped ones as dotted quads). */
static void web_addr_text(char *out, size_t n, const unsigned char a[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (memcmp(a, mapped, 12) == 0)
		inet_ntop(AF_INET, a + 12, out, (socklen_t)n);
	else
		inet_ntop(AF_INET6, a, out, (socklen_t)n);
}

void web_client_addr(struct web_request *req, struct MHD_Connection *conn)
{
	pthread_once(&web_proxies_once, web_proxies_init);
	unsigned char peer[16];
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	req->client_ip[0] = '\0';
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET) {
		memset(peer, 0, 10);
		peer[10] = peer[11] = 0xff;
		memcpy(peer + 12, &((const struct sockaddr_in *)(const void *)ci->client_addr)->sin_addr, 4);
	} else if (ci->client_addr->sa_family == AF_INET6) {
		memcpy(peer, &((const struct sockaddr_in6 *)(const void *)ci->client_addr)->sin6_addr, 16);
	} else {
		return;
	}
	if (web_proxies.n && web_is_proxy(peer)) {
		/* Walk X-Forwarded-For from the right: the first entry not a trusted proxy is the
		 * client as our own proxies saw it. Anything unparsable stops the walk there. */
		const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
		size_t len = xff ? strlen(xff) : 0;
		while (len > 0 && len < 4096) {
			size_t start = len;
			while (start > 0 && xff[start - 1] != ',')
				start--;
			char item[64];
			size_t a = start, b = len;
			while (a < b && (xff[a] == ' ' || xff[a] == '\t'))
				a++;
			while (b > a && (xff[b - 1] == ' ' || xff[b - 1] == '\t'))
				b--;
			unsigned char hop[16];
			if (b - a == 0 || b - a >= sizeof item)
				break;
			memcpy(item, xff + a, b - a);
			item[b - a] = '\0';
			if (web_addr_parse(hop, item) != 0)
				break;
			memcpy(peer, hop, 16);
			if (!web_is_proxy(hop))
				break;
			len = start ? start - 1 : 0;
		}
	}
	web_addr_text(req->client_ip, sizeof req->client_ip, peer);
}
