/* registry: QR rendering of verify URLs with libqrencode, to SVG text and PNG bytes. */
#include "reg_qr.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>
#include <zlib.h>

#include "rs_error.h"

#ifdef REG_QR_ENCODEMASK
/* Exported by libqrencode (its test entry point) but absent from qrencode.h: encode with a
 * given mask (0..7), skipping the library's own eight-mask evaluation, which is ~90 % of the
 * encoding time for a credential-sized URL. registry/meson.build checks the symbol. */
extern QRcode *QRcode_encodeMask(QRinput *input, int mask);
#endif

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

/* ---------- mask choice (ISO/IEC 18004:2015 7.8) ---------- */

static int reg_qr_mask_bit(int m, int i, int j) /* i row, j column: 1 = invert */
{
	switch (m) {
	case 0: return (i + j) % 2 == 0;
	case 1: return i % 2 == 0;
	case 2: return j % 3 == 0;
	case 3: return (i + j) % 3 == 0;
	case 4: return (i / 2 + j / 3) % 2 == 0;
	case 5: return (i * j) % 2 + (i * j) % 3 == 0;
	case 6: return ((i * j) % 2 + (i * j) % 3) % 2 == 0;
	default: return ((i + j) % 2 + (i * j) % 3) % 2 == 0;
	}
}

/* The 15 format bits for error correction level lv (libqrencode's enum) and mask m. */
static unsigned reg_qr_format_bits(QRecLevel lv, int m)
{
	static const unsigned ecbits[] = { 1, 0, 3, 2 }; /* L M Q H */
	unsigned d = (ecbits[lv] << 3) | (unsigned)m, r = d << 10;
	for (int b = 14; b >= 10; b--)
		if (r & (1u << b))
			r ^= 0x537u << (b - 10);
	return ((d << 10) | r) ^ 0x5412u;
}

/* Write the format information into frame (bit 0 = dark), in libqrencode's placement. */
static void reg_qr_put_format(unsigned char *f, int w, unsigned format)
{
	for (int i = 0; i < 8; i++, format >>= 1) {
		unsigned char v = (unsigned char)((f[w * 8 + w - 1 - i] & ~1u) | (format & 1));
		f[w * 8 + w - 1 - i] = v;
		if (i < 6)
			f[w * i + 8] = (unsigned char)((f[w * i + 8] & ~1u) | (format & 1));
		else
			f[w * (i + 1) + 8] = (unsigned char)((f[w * (i + 1) + 8] & ~1u) | (format & 1));
	}
	for (int i = 0; i < 7; i++, format >>= 1) {
		f[w * (w - 7 + i) + 8] = (unsigned char)((f[w * (w - 7 + i) + 8] & ~1u) | (format & 1));
		int k = i == 0 ? w * 8 + 7 : w * 8 + 6 - i;
		f[k] = (unsigned char)((f[k] & ~1u) | (format & 1));
	}
}

/* Penalty of one line of n modules (stride apart): N1 runs and N3 finder-like patterns.
 * Branch-free: module colours are random, so branches would mostly mispredict. */
static long reg_qr_line_penalty(const unsigned char *d, int n, int stride)
{
	long p = 0;
	long run = 0;
	unsigned prev = 2, hist = 0; /* last 11 modules, newest in bit 0; the quiet zone is light */
	for (int k = 0; k < n; k++) {
		unsigned c = d[k * stride];
		long same = c == prev, ended = run >= 5 ? run - 2 : 0;
		p += same ? 0 : ended;
		run = same ? run + 1 : 1;
		prev = c;
		hist = ((hist << 1) | c) & 0x7ffu;
		/* 1011101 with four light modules after (0x5d0) or before (0x05d) */
		p += 40 * ((hist == 0x5d0u) | (hist == 0x05du));
	}
	p += run >= 5 ? run - 2 : 0;
	/* Patterns touching the far edge, where the light side is the quiet zone. */
	for (int k = 0; k < 4; k++) {
		hist = (hist << 1) & 0x7ffu;
		p += 40 * (hist == 0x5d0u);
	}
	return p;
}

static long reg_qr_penalty(const unsigned char *m, int w)
{
	long p = 0, dark = 0, blocks = 0;
	for (int i = 0; i < w; i++) {
		p += reg_qr_line_penalty(m + i * w, w, 1);
		p += reg_qr_line_penalty(m + i, w, w);
	}
	for (int i = 0; i < w; i++)
		for (int j = 0; j < w; j++)
			dark += m[i * w + j];
	for (int i = 0; i + 1 < w; i++) {
		const unsigned char *a = m + i * w, *b = a + w;
		for (int j = 0; j + 1 < w; j++) {
			unsigned s4 = (unsigned)a[j] + a[j + 1] + b[j] + b[j + 1];
			blocks += (s4 & 3u) == 0; /* 0 or 4: all four the same colour */
		}
	}
	p += 3 * blocks;
	long pct = 100L * dark / ((long)w * w);
	long dev = pct >= 50 ? pct - 50 : 50 - pct;
	p += 10 * (dev / 5);
	return p;
}

/* The same penalty on bit rows (bit j = module j dark) of symbols up to 120 modules wide
 * (version 26; a credential URL needs about version 19), a few word operations per line. */
__extension__ typedef unsigned __int128 reg_u128;
#define REG_QR_BITS_MAX 120

static int reg_qr_pop64(unsigned long long x)
{
	x = x - ((x >> 1) & 0x5555555555555555ull);
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (int)((x * 0x0101010101010101ull) >> 56);
}

static int reg_qr_pop(reg_u128 x)
{
	return reg_qr_pop64((unsigned long long)x) + reg_qr_pop64((unsigned long long)(x >> 64));
}

static long reg_qr_bits_line(reg_u128 r, int w)
{
	const reg_u128 one = 1;
	reg_u128 full = (one << w) - 1;
	/* N1: a run of L >= 5 scores L - 2 = (its 5-windows) + 2 (it has one start). */
	reg_u128 eq = ~(r ^ (r >> 1)) & ((one << (w - 1)) - 1); /* bit j: module j == module j+1 */
	reg_u128 win = eq & (eq >> 1) & (eq >> 2) & (eq >> 3);  /* bit j: modules j..j+4 alike */
	reg_u128 starts = win & ~(eq << 1);
	long p = reg_qr_pop(win) + 2L * reg_qr_pop(starts);
	/* N3: 1011101 with four light modules before or after; 4 quiet modules on each side.
	 * core bit j: modules j..j+6 are 1011101; light bit j: modules j..j+3 are light. */
	reg_u128 x = (r & full) << 4, y = ~x;
	int pl = w + 8;
	reg_u128 core = x & (y >> 1) & (x >> 2) & (x >> 3) & (x >> 4) & (y >> 5) & (x >> 6);
	reg_u128 light = y & (y >> 1) & (y >> 2) & (y >> 3);
	reg_u128 starts11 = (one << (pl - 10)) - 1; /* an 11-module window starts at 0 .. pl-11 */
	reg_u128 a = core & (light >> 7) & starts11;  /* 1011101 then 0000 */
	reg_u128 b = light & (core >> 4) & starts11;  /* 0000 then 1011101 */
	return p + 40L * (reg_qr_pop(a) + reg_qr_pop(b));
}

static long reg_qr_bits_penalty(const reg_u128 *rows, const reg_u128 *cols, int w, long dark)
{
	const reg_u128 one = 1;
	long p = 0, blocks = 0;
	for (int i = 0; i < w; i++)
		p += reg_qr_bits_line(rows[i], w) + reg_qr_bits_line(cols[i], w);
	reg_u128 inner = (one << (w - 1)) - 1;
	for (int i = 0; i + 1 < w; i++) {
		reg_u128 v = ~(rows[i] ^ rows[i + 1]);          /* vertical pairs alike */
		reg_u128 h = ~(rows[i] ^ (rows[i] >> 1));       /* horizontal pairs alike */
		blocks += reg_qr_pop(v & (v >> 1) & h & inner);
	}
	p += 3 * blocks;
	long pct = 100L * dark / ((long)w * w);
	long dev = pct >= 50 ? pct - 50 : 50 - pct;
	return p + 10 * (dev / 5);
}

/* masks[m*w*w + i*w + j] = 1 where mask m inverts module (i, j), without divisions. */
static void reg_qr_masks(unsigned char *masks, int w)
{
	size_t n = (size_t)w * (size_t)w;
	for (int i = 0; i < w; i++) {
		int i2 = i & 1, i3 = i % 3, ih = (i / 2) & 1;
		for (int j = 0, j3 = 0, jt = 0; j < w; j++) {
			int j2 = j & 1, s3 = (i3 + j3) % 3, p2 = i2 & j2, p3 = (i3 * j3) % 3;
			size_t k = (size_t)i * (size_t)w + (size_t)j;
			masks[k] = (unsigned char)((i2 ^ j2) == 0);
			masks[n + k] = (unsigned char)(i2 == 0);
			masks[2 * n + k] = (unsigned char)(j3 == 0);
			masks[3 * n + k] = (unsigned char)(s3 == 0);
			masks[4 * n + k] = (unsigned char)(((ih + jt) & 1) == 0);
			masks[5 * n + k] = (unsigned char)(p2 + p3 == 0);
			masks[6 * n + k] = (unsigned char)(((p2 + p3) & 1) == 0);
			masks[7 * n + k] = (unsigned char)((((i2 ^ j2) + p3) & 1) == 0);
			if (++j3 == 3) {
				j3 = 0;
				jt++;
			}
		}
	}
}

/* Mask patterns as bit rows (row i % 12) and bit columns (column j % 6), computed once. */
struct reg_qr_patterns {
	reg_u128 row[8][12], col[8][6];
};
static struct reg_qr_patterns reg_qr_pt;
static pthread_once_t reg_qr_pt_once = PTHREAD_ONCE_INIT;

static void reg_qr_patterns_init(void)
{
	for (int m = 0; m < 8; m++) {
		for (int i = 0; i < 12; i++)
			for (int j = 0; j < REG_QR_BITS_MAX; j++)
				reg_qr_pt.row[m][i] |= (reg_u128)reg_qr_mask_bit(m, i, j) << j;
		for (int j = 0; j < 6; j++)
			for (int i = 0; i < REG_QR_BITS_MAX; i++)
				reg_qr_pt.col[m][j] |= (reg_u128)reg_qr_mask_bit(m, i, j) << i;
	}
}

static const struct reg_qr_patterns *reg_qr_patterns_get(void)
{
	pthread_once(&reg_qr_pt_once, reg_qr_patterns_init);
	return &reg_qr_pt;
}

/* n modules (stride apart, bit 0 of each byte) as a bit row. */
static reg_u128 reg_qr_pack(const unsigned char *d, int n, int stride)
{
	unsigned long long lo = 0, hi = 0;
	int k = 0;
	for (; k < n && k < 64; k++)
		lo |= (unsigned long long)(d[k * stride] & 1u) << k;
	for (; k < n; k++)
		hi |= (unsigned long long)(d[k * stride] & 1u) << (k - 64);
	return ((reg_u128)hi << 64) | lo;
}

/* Where the 15 format bits go (row fi, column fj, bit fb), as reg_qr_put_format writes them. */
static void reg_qr_format_pos(int fi[30], int fj[30], int fb[30], int w)
{
	int k = 0;
	for (int i = 0; i < 8; i++) {
		fi[k] = 8, fj[k] = w - 1 - i, fb[k++] = i;
		fi[k] = i < 6 ? i : i + 1, fj[k] = 8, fb[k++] = i;
	}
	for (int i = 0; i < 7; i++) {
		fi[k] = w - 7 + i, fj[k] = 8, fb[k++] = 8 + i;
		fi[k] = 8, fj[k] = i == 0 ? 7 : 6 - i, fb[k++] = 8 + i;
	}
}

/* Encode with mask 0, then choose the lowest-penalty mask ourselves (a bit-exact re-mask:
 * data modules flipped, format bits rewritten), which is ~10x cheaper than the library's
 * evaluation. Falls back to plain libqrencode when the mask entry point is missing. */
static QRcode *reg_qr_encode(const char *text, QRecLevel lv)
{
#ifdef REG_QR_ENCODEMASK
	QRinput *in = QRinput_new2(0, lv);
	if (!in)
		return NULL;
	if (QRinput_append(in, QR_MODE_8, (int)strlen(text), (const unsigned char *)text) != 0) {
		QRinput_free(in);
		return NULL;
	}
	QRcode *q = QRcode_encodeMask(in, 0);
	QRinput_free(in);
	if (!q)
		return NULL;
	int w = q->width;
	size_t n = (size_t)w * (size_t)w;
	unsigned char *cand = malloc(n), *unmasked = malloc(n), *masks = malloc(w > REG_QR_BITS_MAX ? n * 8 : 1);
	if (!cand || !unmasked || !masks) {
		free(cand);
		free(unmasked);
		free(masks);
		QRcode_free(q);
		errno = ENOMEM;
		return NULL;
	}
	/* Undo mask 0 ((i + j) even) on data modules (bit 7 marks function patterns). */
	for (int i = 0; i < w; i++)
		for (int j = 0; j < w; j++) {
			unsigned v = q->data[i * w + j];
			unmasked[i * w + j] = (unsigned char)((v ^ (!(v & 0x80) & !((i + j) & 1))) & 1);
		}
	if (w > REG_QR_BITS_MAX) {
		reg_qr_masks(masks, w);
		for (size_t k = 0; k < n; k++) {
			unsigned char isdata = (unsigned char)(!(q->data[k] & 0x80));
			for (int m = 0; m < 8; m++)
				masks[(size_t)m * n + k] &= isdata;
		}
	}
	long best = -1;
	int best_m = 0;
	if (w <= REG_QR_BITS_MAX) {
		/* Bit rows and columns of the unmasked symbol and of its data modules; each mask's
		 * candidate is then a few XORs per line (mask patterns repeat every 12 rows and
		 * 6 columns), plus the 15 format bits written twice. */
		reg_u128 ur[REG_QR_BITS_MAX], uc[REG_QR_BITS_MAX], dr[REG_QR_BITS_MAX], dc[REG_QR_BITS_MAX];
		reg_u128 rows[REG_QR_BITS_MAX], cols[REG_QR_BITS_MAX];
		unsigned char *isdata = cand; /* scratch */
		for (size_t k = 0; k < n; k++)
			isdata[k] = (unsigned char)!(q->data[k] & 0x80);
		for (int i = 0; i < w; i++) {
			ur[i] = reg_qr_pack(unmasked + i * w, w, 1);
			uc[i] = reg_qr_pack(unmasked + i, w, w);
			dr[i] = reg_qr_pack(isdata + i * w, w, 1);
			dc[i] = reg_qr_pack(isdata + i, w, w);
		}
		const struct reg_qr_patterns *pt = reg_qr_patterns_get();
		int fi[30], fj[30], fb[30];
		reg_qr_format_pos(fi, fj, fb, w);
		for (int m = 0; m < 8; m++) {
			for (int i = 0; i < w; i++) {
				rows[i] = ur[i] ^ (pt->row[m][i % 12] & dr[i]);
				cols[i] = uc[i] ^ (pt->col[m][i % 6] & dc[i]);
			}
			unsigned f = reg_qr_format_bits(lv, m);
			for (int k = 0; k < 30; k++) {
				reg_u128 bit = (reg_u128)((f >> fb[k]) & 1u);
				rows[fi[k]] = (rows[fi[k]] & ~((reg_u128)1 << fj[k])) | (bit << fj[k]);
				cols[fj[k]] = (cols[fj[k]] & ~((reg_u128)1 << fi[k])) | (bit << fi[k]);
			}
			long dark = 0;
			for (int i = 0; i < w; i++)
				dark += reg_qr_pop(rows[i]);
			long p = reg_qr_bits_penalty(rows, cols, w, dark);
			if (best < 0 || p < best) {
				best = p;
				best_m = m;
			}
		}
	}
	for (int m = 0; m < 8 && w > REG_QR_BITS_MAX; m++) {
		const unsigned char *mm = masks + (size_t)m * n;
		for (size_t k = 0; k < n; k++)
			cand[k] = unmasked[k] ^ mm[k];
		reg_qr_put_format(cand, w, reg_qr_format_bits(lv, m));
		long p = reg_qr_penalty(cand, w);
		if (best < 0 || p < best) {
			best = p;
			best_m = m;
		}
	}
	if (best_m != 0 && w <= REG_QR_BITS_MAX) {
		/* The chosen mask's pattern rows, read back 64 bits at a time. */
		const struct reg_qr_patterns *pt = reg_qr_patterns_get();
		for (int i = 0; i < w; i++) {
			reg_u128 row = pt->row[best_m][i % 12];
			unsigned long long half[2] = { (unsigned long long)row, (unsigned long long)(row >> 64) };
			unsigned char *d = q->data + (size_t)i * (size_t)w;
			const unsigned char *u = unmasked + (size_t)i * (size_t)w;
			for (int j = 0; j < w; j++) {
				unsigned flip = (unsigned)((d[j] & 0x80) == 0) & (unsigned)((half[j >> 6] >> (j & 63)) & 1u);
				d[j] = (unsigned char)((d[j] & ~1u) | (u[j] ^ flip));
			}
		}
		reg_qr_put_format(q->data, w, reg_qr_format_bits(lv, best_m));
	} else if (best_m != 0) {
		for (int i = 0; i < w; i++)
			for (int j = 0; j < w; j++) {
				size_t k = (size_t)i * (size_t)w + (size_t)j;
				unsigned flip = !(q->data[k] & 0x80) && reg_qr_mask_bit(best_m, i, j);
				q->data[k] = (unsigned char)((q->data[k] & ~1u) | (unmasked[k] ^ flip));
			}
		reg_qr_put_format(q->data, w, reg_qr_format_bits(lv, best_m));
	}
	free(cand);
	free(unmasked);
	free(masks);
	return q;
#else
	return QRcode_encodeString8bit(text, 0, lv);
#endif
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
	errno = 0;
	QRcode *q = reg_qr_encode(text, lv[level]);
	if (!q) {
		rs_error_set("QR encoding failed: %s", errno == ERANGE ? "text too long for this level" : strerror(errno));
		return errno == ERANGE ? RS_ETOOBIG : RS_ENOMEM;
	}
	*out = q;
	return 0;
}

/* ---------- SVG: one <path>, one rectangle per horizontal run of dark modules ---------- */

static char *reg_qr_putint(char *p, int v)
{
	char tmp[12];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v > 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static int reg_qr_svg_of(char **out_svg, const QRcode *q, int module_px)
{
	if (module_px < 1 || module_px > 64) {
		rs_error_set("QR module size must be 1..64");
		return RS_EINVAL;
	}
	int w = q->width, full = w + 2 * REG_QR_QUIET;
	/* One stroked <path>: each row of modules is a line one unit wide through the row's
	 * middle ("M x y.5" starts a row), each horizontal run of dark modules "h n", the gap
	 * to the next run "m g 0". A run costs at most "m123 0h123" (10 bytes); a row start
	 * "M123 123.5" (10); runs <= w*w/2 + w. */
	size_t cap = 512 + ((size_t)w * (size_t)w / 2 + 2 * (size_t)w) * 10;
	char *s = malloc(cap);
	if (!s)
		return RS_ENOMEM;
	int len = snprintf(s, cap,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "shape-rendering=\"crispEdges\">\n<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n"
	    "<path stroke=\"#000\" stroke-width=\"1\" fill=\"none\" d=\"",
	    full * module_px, full * module_px, full, full, full, full);
	char *p = s + len;
	for (int y = 0; y < w; y++) {
		const unsigned char *row = q->data + (size_t)y * (size_t)w;
		int at = -1; /* pen x after the last run of this row; -1: row not started */
		for (int x = 0; x < w;) {
			if (!(row[x] & 1)) {
				x++;
				continue;
			}
			int x0 = x;
			while (x < w && (row[x] & 1))
				x++;
			if (at < 0) {
				*p++ = 'M';
				p = reg_qr_putint(p, x0 + REG_QR_QUIET);
				*p++ = ' ';
				p = reg_qr_putint(p, y + REG_QR_QUIET);
				memcpy(p, ".5", 2);
				p += 2;
			} else {
				*p++ = 'm';
				p = reg_qr_putint(p, x0 - at);
				memcpy(p, " 0", 2);
				p += 2;
			}
			*p++ = 'h';
			p = reg_qr_putint(p, x - x0);
			at = x;
		}
	}
	memcpy(p, "\"/>\n</svg>\n", 12);
	*out_svg = s;
	return 0;
}

int reg_qr_svg(char **out_svg, const char *text, enum reg_qr_level level, int module_px)
{
	QRcode *q = NULL;
	int rc = reg_qr_make(&q, text, level);
	if (rc)
		return rc;
	rc = reg_qr_svg_of(out_svg, q, module_px);
	QRcode_free(q);
	return rc;
}

/* ---------- PNG: 1 bit per pixel, written directly (one deflate call over the image) ---------- */

static unsigned char *reg_png_put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return p + 4;
}

/* Append a chunk (type + data) with its length and CRC at p; returns the end. */
static unsigned char *reg_png_chunk(unsigned char *p, const char type[4], const unsigned char *data, size_t n)
{
	p = reg_png_put32(p, (uint32_t)n);
	unsigned char *t = p;
	memcpy(p, type, 4);
	if (n && data != p + 4)
		memmove(p + 4, data, n);
	p += 4 + n;
	uLong crc = crc32(0L, t, (uInt)(4 + n));
	return reg_png_put32(p, (uint32_t)crc);
}

static int reg_qr_png_of(unsigned char **out_png, size_t *out_len, const QRcode *q, int module_px)
{
	if (module_px < 1 || module_px > 32) {
		rs_error_set("QR module size must be 1..32 pixels");
		return RS_EINVAL;
	}
	int w = q->width, side = (w + 2 * REG_QR_QUIET) * module_px;
	size_t rowbytes = ((size_t)side + 7) / 8, stride = rowbytes + 1; /* + filter byte (none) */
	size_t raw_len = stride * (size_t)side;
	unsigned char *raw = malloc(raw_len);
	uLong bound = compressBound((uLong)raw_len);
	unsigned char *png = malloc(8 + 25 + 12 + bound + 12);
	if (!raw || !png) {
		free(raw);
		free(png);
		return RS_ENOMEM;
	}
	/* The image: white rows (bit set = white, MSB leftmost), dark modules cleared. Padding
	 * bits past the last pixel stay set (white). A row equal to the one above (the other
	 * module_px - 1 rows of a module row, the quiet zone) uses PNG filter Up and is all
	 * zero bytes, which run-length deflate reduces to almost nothing, quickly. */
	memset(raw, 0xff, raw_len);
	raw[0] = 0;
	for (int y = 1; y < side; y++) {
		raw[(size_t)y * stride] = 2; /* Up */
		memset(raw + (size_t)y * stride + 1, 0, rowbytes);
	}
	unsigned char *line = malloc(rowbytes);
	if (!line) {
		free(raw);
		free(png);
		return RS_ENOMEM;
	}
	for (int my = 0; my < w; my++) {
		int y0 = (my + REG_QR_QUIET) * module_px;
		unsigned char *row = raw + (size_t)y0 * stride;
		const unsigned char *m = q->data + (size_t)my * (size_t)w;
		memset(line, 0xff, rowbytes);
		for (int mx = 0; mx < w; mx++) {
			if (!(m[mx] & 1))
				continue;
			int px0 = (mx + REG_QR_QUIET) * module_px;
			for (int px = px0; px < px0 + module_px; px++)
				line[px >> 3] &= (unsigned char)~(0x80u >> (px & 7));
		}
		row[0] = 0; /* None: the row as it is */
		memcpy(row + 1, line, rowbytes);
	}
	/* The first quiet row after the symbol differs from the last module row: write it out. */
	{
		unsigned char *row = raw + (size_t)((w + REG_QR_QUIET) * module_px) * stride;
		row[0] = 0;
		memset(row + 1, 0xff, rowbytes);
	}
	free(line);
	unsigned char *p = png;
	memcpy(p, "\x89PNG\r\n\x1a\n", 8);
	p += 8;
	unsigned char ihdr[13];
	reg_png_put32(ihdr, (uint32_t)side);
	reg_png_put32(ihdr + 4, (uint32_t)side);
	ihdr[8] = 1;  /* bit depth */
	ihdr[9] = 0;  /* greyscale */
	ihdr[10] = 0; /* deflate */
	ihdr[11] = 0; /* adaptive filtering, all rows filter 0 */
	ihdr[12] = 0; /* no interlace */
	p = reg_png_chunk(p, "IHDR", ihdr, sizeof ihdr);
	/* IDAT: deflate straight into place; level 1 finds the repeated rows (distance one
	 * row), which is where a scaled QR's redundancy is. */
	/* Run-length matching only (the repeated rows are zero runs after filter Up), with a
	 * small window and hash table: zlib's default 256 KB of state would cost more to set
	 * up than the whole compression. */
	z_stream z;
	memset(&z, 0, sizeof z);
	int zok = deflateInit2(&z, 1, Z_DEFLATED, 9, 1, Z_RLE) == Z_OK;
	if (zok) {
		z.next_in = raw;
		z.avail_in = (uInt)raw_len;
		z.next_out = p + 8;
		z.avail_out = (uInt)bound;
		zok = deflate(&z, Z_FINISH) == Z_STREAM_END;
	}
	uLong zlen = z.total_out;
	deflateEnd(&z);
	if (!zok) {
		free(raw);
		free(png);
		rs_error_set("PNG encoding failed (zlib)");
		return RS_EINTERNAL;
	}
	p = reg_png_chunk(p, "IDAT", p + 8, zlen);
	p = reg_png_chunk(p, "IEND", NULL, 0);
	free(raw);
	*out_png = png;
	*out_len = (size_t)(p - png);
	return 0;
}

int reg_qr_png(unsigned char **out_png, size_t *out_len, const char *text, enum reg_qr_level level,
               int module_px)
{
	QRcode *q = NULL;
	int rc = reg_qr_make(&q, text, level);
	if (rc)
		return rc;
	rc = reg_qr_png_of(out_png, out_len, q, module_px);
	QRcode_free(q);
	return rc;
}

int reg_qr_render(unsigned char **out_png, size_t *out_png_len, char **out_svg, const char *text,
                  enum reg_qr_level level, int module_px)
{
	QRcode *q = NULL;
	int rc = reg_qr_make(&q, text, level);
	if (rc)
		return rc;
	*out_png = NULL;
	*out_svg = NULL;
	rc = reg_qr_png_of(out_png, out_png_len, q, module_px);
	if (rc == 0 && (rc = reg_qr_svg_of(out_svg, q, module_px)) != 0) {
		free(*out_png);
		*out_png = NULL;
	}
	QRcode_free(q);
	return rc;
}

int reg_qr_mask_selftest(const char *text)
{
#ifdef REG_QR_ENCODEMASK
	/* For every mask, our re-mask of the mask-0 symbol must equal libqrencode's own
	 * encoding with that mask, module for module. */
	int w0 = 21;
	unsigned char *tab = malloc((size_t)8 * 177 * 177);
	if (!tab)
		return RS_ENOMEM;
	for (w0 = 21; w0 <= 177; w0 += 4) {
		reg_qr_masks(tab, w0);
		for (int m = 0; m < 8; m++)
			for (int i = 0; i < w0; i++)
				for (int j = 0; j < w0; j++)
					if (tab[(size_t)m * (size_t)(w0 * w0) + (size_t)(i * w0 + j)] != reg_qr_mask_bit(m, i, j)) {
						free(tab);
						rs_error_set("mask %d table differs from the standard at (%d, %d), width %d", m, i, j, w0);
						return RS_EINTERNAL;
					}
	}
	free(tab);
	for (int m = 0; m < 8; m++) {
		QRinput *in = QRinput_new2(0, QR_ECLEVEL_M);
		QRinput_append(in, QR_MODE_8, (int)strlen(text), (const unsigned char *)text);
		QRcode *q = QRcode_encodeMask(in, m);
		QRinput_free(in);
		int w = q->width;
		if (w <= REG_QR_BITS_MAX) {
			reg_u128 rows[REG_QR_BITS_MAX] = { 0 }, cols[REG_QR_BITS_MAX] = { 0 };
			unsigned char *c = malloc((size_t)w * (size_t)w);
			long dark = 0;
			for (int i = 0; i < w * w; i++) {
				c[i] = q->data[i] & 1;
				dark += c[i];
				rows[i / w] |= (reg_u128)c[i] << (i % w);
				cols[i % w] |= (reg_u128)c[i] << (i / w);
			}
			long a = reg_qr_penalty(c, w), b = reg_qr_bits_penalty(rows, cols, w, dark);
			free(c);
			if (a != b) {
				QRcode_free(q);
				rs_error_set("mask %d: penalty %ld by bits, %ld by modules", m, b, a);
				return RS_EINTERNAL;
			}
		}
		QRcode_free(q);
	}
	{
		/* The fast choice is the lowest-penalty mask by the module-by-module evaluation. */
		long best = -1;
		QRcode *want = NULL;
		for (int m = 0; m < 8; m++) {
			QRinput *in = QRinput_new2(0, QR_ECLEVEL_M);
			QRinput_append(in, QR_MODE_8, (int)strlen(text), (const unsigned char *)text);
			QRcode *q = QRcode_encodeMask(in, m);
			QRinput_free(in);
			int w = q->width;
			unsigned char *c = malloc((size_t)w * (size_t)w);
			for (int i = 0; i < w * w; i++)
				c[i] = q->data[i] & 1;
			long p = reg_qr_penalty(c, w);
			free(c);
			if (best < 0 || p < best) {
				best = p;
				QRcode_free(want);
				want = q;
			} else {
				QRcode_free(q);
			}
		}
		QRcode *got = reg_qr_encode(text, QR_ECLEVEL_M);
		int bad = !got || got->width != want->width;
		for (int i = 0; !bad && i < got->width * got->width; i++)
			bad = (got->data[i] & 1) != (want->data[i] & 1);
		QRcode_free(got);
		QRcode_free(want);
		if (bad) {
			rs_error_set("the fast mask choice differs from the lowest-penalty mask");
			return RS_EINTERNAL;
		}
	}
	for (int m = 0; m < 8; m++) {
		QRinput *in0 = QRinput_new2(0, QR_ECLEVEL_M), *inm = QRinput_new2(0, QR_ECLEVEL_M);
		QRinput_append(in0, QR_MODE_8, (int)strlen(text), (const unsigned char *)text);
		QRinput_append(inm, QR_MODE_8, (int)strlen(text), (const unsigned char *)text);
		QRcode *a = QRcode_encodeMask(in0, 0), *b = QRcode_encodeMask(inm, m);
		int w = a->width, bad = 0;
		for (int i = 0; i < w * w; i++) {
			unsigned v = a->data[i];
			if (!(v & 0x80))
				v ^= (unsigned)reg_qr_mask_bit(0, i / w, i % w) ^ (unsigned)reg_qr_mask_bit(m, i / w, i % w);
			a->data[i] = (unsigned char)v;
		}
		reg_qr_put_format(a->data, w, reg_qr_format_bits(QR_ECLEVEL_M, m));
		for (int i = 0; i < w * w; i++)
			bad += (a->data[i] & 1) != (b->data[i] & 1);
		QRcode_free(a);
		QRcode_free(b);
		QRinput_free(in0);
		QRinput_free(inm);
		if (bad) {
			rs_error_set("mask %d: %d modules differ from libqrencode", m, bad);
			return RS_EINTERNAL;
		}
	}
	return 0;
#else
	(void)text;
	return 0;
#endif
}

static int reg_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int bad = !f || fwrite(data, 1, len, f) != len;
	if (f && fclose(f) != 0)
		bad = 1;
	if (bad) {
		rs_error_set("cannot write '%s': %s", path, strerror(errno));
		return RS_EIO;
	}
	return 0;
}

int reg_qr_write_files(const char *text, const char *png_path, const char *svg_path)
{
	unsigned char *png = NULL;
	size_t n = 0;
	char *svg = NULL;
	int rc = reg_qr_render(&png, &n, &svg, text, REG_QR_M, REG_QR_FILE_PX);
	if (rc == 0 && png_path)
		rc = reg_write_file(png_path, png, n);
	if (rc == 0 && svg_path)
		rc = reg_write_file(svg_path, svg, strlen(svg));
	free(png);
	free(svg);
	return rc;
}
