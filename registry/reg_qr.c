/* registry: QR rendering of verify URLs with libqrencode, to SVG text and PNG bytes. */
#include "reg_qr.h"

#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <qrencode.h>

#include "rs_error.h"

int reg_qr_verify_url(char **out, const char *base_url, const char *jws)
{
	size_t bl = strlen(base_url);
	while (bl > 0 && base_url[bl - 1] == '/')
		bl--;
	if (bl == 0 || !jws[0]) {
		rs_error_set("verify URL needs a base URL and a token");
		return RS_EINVAL;
	}
	char *s = malloc(bl + 3 + strlen(jws) + 1);
	if (!s)
		return RS_ENOMEM;
	sprintf(s, "%.*s/v/%s", (int)bl, base_url, jws);
	*out = s;
	return 0;
}

static int reg_qr_make(QRcode **out, const char *text, enum reg_qr_level level)
{
	static const QRecLevel lv[] = { QR_ECLEVEL_M, QR_ECLEVEL_Q, QR_ECLEVEL_H };
	if ((unsigned)level > REG_QR_H) {
		rs_error_set("QR error correction must be M, Q or H");
		return RS_EINVAL;
	}
	if (strlen(text) > REG_QR_TEXT_MAX) {
		rs_error_set("%zu bytes do not fit in a QR code (at most %d)", strlen(text), REG_QR_TEXT_MAX);
		return RS_ETOOBIG;
	}
	/* 8-bit mode keeps the URL byte-exact (case-sensitive base64url). */
	QRcode *q = QRcode_encodeString8bit(text, 0, lv[level]);
	if (!q) {
		rs_error_set("QR encoding failed: %s", errno == ERANGE ? "text too long for this level" : strerror(errno));
		return errno == ERANGE ? RS_ETOOBIG : RS_ENOMEM;
	}
	*out = q;
	return 0;
}

int reg_qr_svg(char **out_svg, const char *text, enum reg_qr_level level, int module_px)
{
	QRcode *q = NULL;
	int rc = reg_qr_make(&q, text, level);
	if (rc)
		return rc;
	if (module_px < 1 || module_px > 64) {
		QRcode_free(q);
		rs_error_set("QR module size must be 1..64");
		return RS_EINVAL;
	}
	int w = q->width, full = w + 2 * REG_QR_QUIET;
	/* Each dark module costs at most ~24 bytes of path. */
	size_t cap = 512 + (size_t)w * (size_t)w * 24, len = 0;
	char *s = malloc(cap);
	if (!s) {
		QRcode_free(q);
		return RS_ENOMEM;
	}
	len += (size_t)snprintf(s + len, cap - len,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "shape-rendering=\"crispEdges\">\n<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"",
	    full * module_px, full * module_px, full, full, full, full);
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++)
			if (q->data[y * w + x] & 1)
				len += (size_t)snprintf(s + len, cap - len, "M%d %dh1v1h-1z", x + REG_QR_QUIET, y + REG_QR_QUIET);
	len += (size_t)snprintf(s + len, cap - len, "\"/>\n</svg>\n");
	QRcode_free(q);
	*out_svg = s;
	return 0;
}

struct reg_png_buf {
	unsigned char *p;
	size_t len, cap;
	int oom;
};

static void reg_png_write(png_structp png, png_bytep data, png_size_t n)
{
	struct reg_png_buf *b = png_get_io_ptr(png);
	if (b->len + n > b->cap) {
		size_t nc = (b->cap + n) * 2;
		unsigned char *np = realloc(b->p, nc);
		if (!np) {
			b->oom = 1;
			png_error(png, "out of memory");
		}
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void reg_png_flush(png_structp png)
{
	(void)png;
}

int reg_qr_png(unsigned char **out_png, size_t *out_len, const char *text, enum reg_qr_level level,
               int module_px)
{
	QRcode *q = NULL;
	png_structp png = NULL;
	png_infop info = NULL;
	struct reg_png_buf b = { 0 };
	png_bytep volatile row = NULL; /* volatile: read after a libpng longjmp */
	int rc = reg_qr_make(&q, text, level);
	if (rc)
		return rc;
	if (module_px < 1 || module_px > 32) {
		rs_error_set("QR module size must be 1..32 pixels");
		rc = RS_EINVAL;
		goto done;
	}
	int w = q->width, side = (w + 2 * REG_QR_QUIET) * module_px;
	row = malloc((size_t)side / 8 + 1);
	png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	info = png ? png_create_info_struct(png) : NULL;
	if (!row || !png || !info) {
		rc = RS_ENOMEM;
		goto done;
	}
	if (setjmp(png_jmpbuf(png))) {
		rs_error_set("PNG encoding failed");
		rc = b.oom ? RS_ENOMEM : RS_EINTERNAL;
		goto done;
	}
	png_set_write_fn(png, &b, reg_png_write, reg_png_flush);
	/* 1-bit greyscale, no row filters: a QR is pure black and white, and this keeps the
	 * encoder cheap (filter heuristics dominate otherwise). */
	png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 1, PNG_COLOR_TYPE_GRAY,
	             PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
	png_write_info(png, info);
	for (int py = 0; py < side; py++) {
		int my = py / module_px - REG_QR_QUIET;
		memset(row, 0, (size_t)side / 8 + 1);
		for (int px = 0; px < side; px++) {
			int mx = px / module_px - REG_QR_QUIET;
			int dark = my >= 0 && my < w && mx >= 0 && mx < w && (q->data[my * w + mx] & 1);
			if (!dark) /* bit set = white; most significant bit is the leftmost pixel */
				row[px / 8] |= (png_byte)(0x80u >> (px % 8));
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	*out_png = b.p;
	*out_len = b.len;
	b.p = NULL;
	rc = 0;
done:
	png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
	free(b.p);
	free(row);
	QRcode_free(q);
	return rc;
}

static int reg_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		rs_error_set("cannot write '%s': %s", path, strerror(errno));
		return RS_EIO;
	}
	return 0;
}

int reg_qr_write_files(const char *text, const char *png_path, const char *svg_path)
{
	int rc = 0;
	if (png_path) {
		unsigned char *png = NULL;
		size_t n = 0;
		if ((rc = reg_qr_png(&png, &n, text, REG_QR_M, 4)) != 0)
			return rc;
		rc = reg_write_file(png_path, png, n);
		free(png);
		if (rc)
			return rc;
	}
	if (svg_path) {
		char *svg = NULL;
		if ((rc = reg_qr_svg(&svg, text, REG_QR_M, 4)) != 0)
			return rc;
		rc = reg_write_file(svg_path, svg, strlen(svg));
		free(svg);
	}
	return rc;
}
