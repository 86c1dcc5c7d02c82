/* Static front-end files from static_dir: pages for each surface and /static/ assets,
 * with content types, ETags and caching. Paths are checked before any file is opened. */
#include "web.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *ext, *type;
} web_types[] = {
	{ ".html", "text/html; charset=utf-8" },
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" },
	{ ".json", "application/json" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/vnd.microsoft.icon" },
	{ ".woff2", "font/woff2" },
	{ ".txt", "text/plain; charset=utf-8" },
	{ ".webmanifest", "application/manifest+json" },
};

static const char *web_content_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot)
		for (size_t i = 0; i < sizeof web_types / sizeof web_types[0]; i++)
			if (strcmp(dot, web_types[i].ext) == 0)
				return web_types[i].type;
	return NULL;
}

/* A relative path is safe when it has only [A-Za-z0-9._-/], no empty, "." or ".." part. */
static int web_safe_relpath(const char *rel)
{
	size_t n = strlen(rel);
	if (n == 0 || n > 200 || rel[0] == '/')
		return 0;
	for (const char *p = rel; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || c == '/'))
			return 0;
		if ((p == rel || p[-1] == '/') && (c == '/' || c == '.'))
			return 0; /* empty part or a part starting with '.' (covers . and ..) */
	}
	return 1;
}

enum MHD_Result web_send_file(struct web_request *req, const char *rel, const char *cache)
{
	const char *ctype = web_content_type(rel);
	if (!web_safe_relpath(rel) || !ctype)
		return web_reply_msg(req, MHD_HTTP_NOT_FOUND, "not-found", "problem.not-found.detail", NULL);
	char path[4400];
	snprintf(path, sizeof path, "%s/%s", web_srv.static_dir, rel);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return web_reply_msg(req, MHD_HTTP_NOT_FOUND, "not-found", "problem.not-found.detail", NULL);
	}
	char etag[64];
	snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
	         (unsigned long long)st.st_mtim.tv_nsec, (unsigned long long)st.st_size);
	const char *inm = MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
	struct MHD_Response *resp;
	unsigned status = MHD_HTTP_OK;
	if (inm && strcmp(inm, etag) == 0) {
		close(fd);
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		status = MHD_HTTP_NOT_MODIFIED;
	} else {
		resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
		req->reply_bytes = (size_t)st.st_size;
	}
	if (!resp) {
		if (status == MHD_HTTP_OK)
			close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	MHD_add_response_header(resp, "X-Request-Id", req->id);
	web_add_security_headers(resp, strncmp(ctype, "text/html", 9) == 0);
	enum MHD_Result r = MHD_queue_response(req->conn, status, resp);
	MHD_destroy_response(resp);
	req->status = status;
	return r;
}

enum MHD_Result web_h_static(struct web_request *req)
{
	/* Assets may be cached for an hour; a changed file gets a new ETag. */
	return web_send_file(req, req->url + strlen("/static/"), "public, max-age=3600");
}

enum MHD_Result web_h_page(struct web_request *req)
{
	char rel[64];
	if (strcmp(req->url, "/") == 0)
		snprintf(rel, sizeof rel, "index.html");
	else
		snprintf(rel, sizeof rel, "%s/index.html", req->url + 1);
	/* Pages revalidate every time so a new release shows at once. */
	return web_send_file(req, rel, "no-cache");
}
