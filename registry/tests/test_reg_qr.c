/* Unit tests of registry/reg_qr: the PNG of a real credential URL decodes with zbarimg
 * (Debian zbar-tools, an independent decoder) to exactly that URL; the SVG is well-formed
 * XML drawing the same modules as the PNG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <png.h>

#include "cert_keys.h"
#include "reg_jws.h"
#include "reg_qr.h"
#include "rs_error.h"

static char dir[64];
static char *url;

static int setup(void **state)
{
	(void)state;
	char kid[CERT_KID_MAX + 1];
	struct cert_keydir kd;
	struct cert_keyring *kr = NULL;
	struct reg_credential c;
	char *tok = NULL;
	strcpy(dir, "/tmp/reg-qr-XXXXXX");
	if (!mkdtemp(dir) || cert_keydir_load(&kd, dir) || cert_keydir_new(kid, &kd, 1790000000) ||
	    cert_keyring_load(&kr, dir))
		return -1;
	struct cert_signer s = cert_keyring_signer(kr);
	memset(&c, 0, sizeof c);
	strcpy(c.iss, "https://riss.example.jp");
	strcpy(c.sub, "000001");
	strcpy(c.name, "情報処理 安全確保");
	strcpy(c.name_latn, "JOHOSHORI Anzenkakuho");
	strcpy(c.qual, "RISS");
	strcpy(c.reg_date, "2026-10-01");
	c.renewal_count = 2;
	c.iat = 1790000000;
	c.exp = 1790000000 + 3 * 365 * 86400;
	c.status_idx = 123456;
	strcpy(c.status_uri, "https://riss.example.jp/status/1");
	if (reg_jws_sign(&tok, &c, kid, &s) || reg_qr_verify_url(&url, "https://riss.example.jp/", tok))
		return -1;
	free(tok);
	cert_keyring_free(kr);
	cert_keydir_free(&kd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	free(url);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_png_decodes_with_zbarimg(void **state)
{
	(void)state;
	char png[128], svg[128], cmd[300];
	assert_int_equal(strncmp(url, "https://riss.example.jp/v/eyJ", 29), 0);
	snprintf(png, sizeof png, "%s/qr.png", dir);
	snprintf(svg, sizeof svg, "%s/qr.svg", dir);
	assert_int_equal(reg_qr_write_files(url, png, svg), 0);
	snprintf(cmd, sizeof cmd, "zbarimg --quiet --raw -Sdisable -Sqrcode.enable '%s'", png);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	static char got[8192];
	size_t n = fread(got, 1, sizeof got - 1, p);
	got[n] = '\0';
	assert_int_equal(pclose(p), 0);
	if (n > 0 && got[n - 1] == '\n')
		got[n - 1] = '\0';
	assert_string_equal(got, url);
	/* Print-ready: REG_QR_FILE_PX pixels per module, so well over 600 pixels wide. */
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	assert_int_not_equal(png_image_begin_read_from_file(&img, png), 0);
	assert_true(img.width >= 600 && img.width == img.height && img.width % REG_QR_FILE_PX == 0);
	png_image_free(&img);

	snprintf(cmd, sizeof cmd, "xmllint --noout '%s'", svg);
	assert_int_equal(system(cmd), 0);
}

static void test_svg_matches_png(void **state)
{
	(void)state;
	unsigned char *pngb = NULL;
	size_t plen = 0;
	char *svg = NULL;
	const int px = 3;
	assert_int_equal(reg_qr_png(&pngb, &plen, url, REG_QR_M, px), 0);
	assert_int_equal(reg_qr_svg(&svg, url, REG_QR_M, px), 0);
	png_image img;
	memset(&img, 0, sizeof img);
	img.version = PNG_IMAGE_VERSION;
	assert_true(png_image_begin_read_from_memory(&img, pngb, plen));
	img.format = PNG_FORMAT_GRAY;
	unsigned char *pix = malloc(PNG_IMAGE_SIZE(img));
	assert_true(png_image_finish_read(&img, NULL, pix, 0, NULL));
	/* Count dark modules by sampling module centres of the PNG. */
	int side = (int)img.width / px, dark = 0;
	assert_int_equal(img.width, img.height);
	for (int y = 0; y < side; y++)
		for (int x = 0; x < side; x++)
			dark += pix[(y * px + px / 2) * (int)img.width + x * px + px / 2] < 128;
	/* The quiet zone is white. */
	for (int x = 0; x < (int)img.width; x++)
		assert_int_equal(pix[x], 255);
	/* The SVG is one stroked path: "M x y.5" starts a row, "h n" draws a run of n dark
	 * modules, "m g 0" skips a gap. The modules it covers must be exactly the PNG's dark
	 * modules. */
	int svg_modules = 0, rects = 0, match = 0;
	const char *d = strstr(svg, " d=\"");
	assert_non_null(d);
	int cx = -1, cy = -1;
	for (const char *s = d + 4; *s && *s != '"'; rects++) {
		int a = 0, b = 0, used = 0;
		if (*s == 'M') {
			assert_int_equal(sscanf(s, "M%d %d.5%n", &a, &b, &used), 2);
			cx = a;
			cy = b;
		} else if (*s == 'm') {
			assert_int_equal(sscanf(s, "m%d 0%n", &a, &used), 1);
			assert_true(a > 0);
			cx += a;
		} else {
			assert_int_equal(sscanf(s, "h%d%n", &a, &used), 1);
			assert_true(cy >= 0 && a > 0);
			for (int k = 0; k < a; k++) {
				svg_modules++;
				match += pix[(cy * px + px / 2) * (int)img.width + (cx + k) * px + px / 2] < 128;
			}
			cx += a;
		}
		assert_true(used > 0);
		s += used;
	}
	assert_true(dark > 100);
	assert_int_equal(svg_modules, dark);
	assert_int_equal(match, dark);
	assert_true(rects < 2 * dark); /* runs, not a shape per module */
	char want[64];
	snprintf(want, sizeof want, "viewBox=\"0 0 %d %d\"", side, side);
	assert_non_null(strstr(svg, want));
	free(pix);
	free(pngb);
	free(svg);
}

static void test_mask_choice_matches_libqrencode(void **state)
{
	(void)state;
	assert_int_equal(reg_qr_mask_selftest(url), 0);
	assert_int_equal(reg_qr_mask_selftest("https://riss.example.jp/v/x"), 0);
	/* Texts of many lengths, so that every mask gets chosen somewhere (and a large symbol
	 * takes the module-by-module path). */
	char t[1200];
	for (int n = 1; n < 40; n++) {
		int len = n * 29;
		for (int i = 0; i < len; i++)
			t[i] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"[(i * 7919 + n * 31) % 64];
		t[len] = '\0';
		assert_int_equal(reg_qr_mask_selftest(t), 0);
	}
}

static void test_render_is_png_plus_svg(void **state)
{
	(void)state;
	unsigned char *a = NULL, *b = NULL;
	size_t al = 0, bl = 0;
	char *sa = NULL, *sb = NULL;
	assert_int_equal(reg_qr_render(&a, &al, &sa, url, REG_QR_M, 4), 0);
	assert_int_equal(reg_qr_png(&b, &bl, url, REG_QR_M, 4), 0);
	assert_int_equal(reg_qr_svg(&sb, url, REG_QR_M, 4), 0);
	assert_int_equal(al, bl);
	assert_memory_equal(a, b, al);
	assert_string_equal(sa, sb);
	free(a);
	free(b);
	free(sa);
	free(sb);
}

static void test_bounds(void **state)
{
	(void)state;
	char *big = malloc(REG_QR_TEXT_MAX + 2);
	memset(big, 'a', REG_QR_TEXT_MAX + 1);
	big[REG_QR_TEXT_MAX + 1] = '\0';
	char *svg = NULL;
	assert_int_equal(reg_qr_svg(&svg, big, REG_QR_M, 4), RS_ETOOBIG);
	assert_null(svg);
	/* H holds less than M: the same length that fits M is refused at H. */
	big[2000] = '\0';
	unsigned char *png = NULL;
	size_t n;
	assert_int_equal(reg_qr_png(&png, &n, big, REG_QR_M, 1), 0);
	free(png);
	png = NULL;
	assert_int_equal(reg_qr_png(&png, &n, big, REG_QR_H, 1), RS_ETOOBIG);
	assert_int_equal(reg_qr_png(&png, &n, "x", REG_QR_M, 0), RS_EINVAL);
	free(big);
	char *u = NULL;
	assert_int_equal(reg_qr_verify_url(&u, "https://a.example///", "tok"), 0);
	assert_string_equal(u, "https://a.example/v/tok");
	free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_png_decodes_with_zbarimg),
		cmocka_unit_test(test_svg_matches_png),
		cmocka_unit_test(test_mask_choice_matches_libqrencode),
		cmocka_unit_test(test_render_is_png_plus_svg),
		cmocka_unit_test(test_bounds),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
