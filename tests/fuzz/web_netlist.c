/* Fuzz target: the address-list parser behind trusted_proxies, exam_networks and
 * operator_networks (config text up to 2048 bytes), and the membership test. Input: the
 * list, a newline, an address. A list that parses always contains its own first plain
 * address. */
#include "web.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[2049];
	if (size > 2048)
		size = 2048;
	memcpy(text, data, size);
	text[size] = '\0';
	char *nl = strchr(text, '\n');
	const char *ip = "";
	if (nl) {
		*nl = '\0';
		ip = nl + 1;
	}
	static struct web_netlist l;
	if (web_netlist_parse(&l, text) != 0)
		return 0;
	(void)web_netlist_has(&l, ip);
	/* The first item, when it is a plain address, is in the list. */
	char first[80];
	size_t n = strcspn(text, ",");
	const char *p = text;
	while (n && *p == ' ') {
		p++;
		n--;
	}
	while (n && p[n - 1] == ' ')
		n--;
	if (n && n < sizeof first && !memchr(p, '/', n)) {
		memcpy(first, p, n);
		first[n] = '\0';
		if (!web_netlist_has(&l, first))
			abort();
	}
	return 0;
}
