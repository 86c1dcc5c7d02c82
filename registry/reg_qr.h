/* registry: QR codes for credentials — "<public base URL>/v/<JWS>" encoded by libqrencode
 * (error correction M or higher) and rendered as SVG and PNG. */
#ifndef REG_QR_INCLUDED
#define REG_QR_INCLUDED

#include <stddef.h>

#define REG_QR_TEXT_MAX 2331 /* byte-mode capacity of version 40 at level M */
#define REG_QR_QUIET 4       /* quiet zone, in modules, as ISO/IEC 18004 asks */
#define REG_QR_PNG_PX 2      /* PNG pixels per module in bulk issuance: the smallest size
                              * that common decoders (zbar) read; viewers scale it up, and
                              * print uses the SVG */
#define REG_QR_FILE_PX 8     /* PNG pixels per module of the files `riss credential issue`
                              * writes for one person: about 840 px, sharp when printed at
                              * 7 cm (300 dpi) */

enum reg_qr_level { REG_QR_M = 0, REG_QR_Q = 1, REG_QR_H = 2 };

/* The verify URL of a credential: base_url (no trailing slash needed) + "/v/" + jws.
 * *out is the caller's. Returns 0, RS_EINVAL or RS_ENOMEM. */
int reg_qr_verify_url(char **out, const char *base_url, const char *jws);

/* Render text as an SVG document (module_px user units per module). *out_svg is a
 * NUL-terminated string the caller frees. Returns 0, RS_ETOOBIG (text beyond the QR
 * capacity), RS_EINVAL or RS_ENOMEM. */
int reg_qr_svg(char **out_svg, const char *text, enum reg_qr_level level, int module_px);
/* Render text as a 1-bit greyscale PNG, module_px pixels per module (1..32). *out_png
 * (out_len bytes) is the caller's. Same returns, plus RS_EINTERNAL if libpng fails. */
int reg_qr_png(unsigned char **out_png, size_t *out_len, const char *text, enum reg_qr_level level,
               int module_px);
/* Both renderings of one encoding (what issuance needs: half the work of calling both).
 * *out_png and *out_svg are the caller's. Same returns as reg_qr_png. */
int reg_qr_render(unsigned char **out_png, size_t *out_png_len, char **out_svg, const char *text,
                  enum reg_qr_level level, int module_px);
/* For tests: 0 when the fast mask choice re-masks text's symbol exactly as libqrencode
 * encodes it with each of the eight masks; RS_EINTERNAL (with the mask named) otherwise. */
int reg_qr_mask_selftest(const char *text);
/* Write both renderings to files (either path may be NULL), the PNG at REG_QR_FILE_PX.
 * Returns 0 or RS_EIO. */
int reg_qr_write_files(const char *text, const char *png_path, const char *svg_path);

#endif
