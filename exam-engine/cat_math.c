/* exam-engine: exp, log and log1p from IEEE basic operations only, so that estimates and
 * item choices are bit-identical on every x86-64/ARM machine whatever libm variant (FMA or
 * not) the C library picks at run time: a session started on one node replays exactly on
 * another. Accuracy about 1 ulp; the project compiles as ISO C, so no FMA contraction. */
#include "cat_internal.h"

#include <math.h>
#include <string.h>

/* 2^k for -1022 <= k <= 1023, built from its bits. */
static inline double cat_pow2(int k)
{
	uint64_t b = (uint64_t)(k + 1023) << 52;
	double d;
	memcpy(&d, &b, sizeof d);
	return d;
}

static const double cat_ln2_hi = 6.93147180369123816490e-01; /* high 32 bits of ln 2 */
static const double cat_ln2_lo = 1.90821492927058770002e-10; /* ln 2 - cat_ln2_hi */
static const double cat_inv_ln2 = 1.44269504088896338700e+00;

double cat_exp(double x)
{
	if (x != x)
		return x;
	if (x > 709.78)
		return HUGE_VAL;
	if (x < -745.2)
		return 0.0;
	/* x = k ln2 + r, |r| <= ln2 / 2 (Cody-Waite: k ln2_hi is exact for |k| < 2^20) */
	double kd = x * cat_inv_ln2;
	kd = kd < 0 ? -floor(-kd + 0.5) : floor(kd + 0.5);
	int k = (int)kd;
	double r = (x - kd * cat_ln2_hi) - kd * cat_ln2_lo;
	/* Taylor to degree 13: remainder below 2^-60 relative on |r| <= 0.347 */
	double p = 1.0 / 6227020800.0;
	p = p * r + 1.0 / 479001600.0;
	p = p * r + 1.0 / 39916800.0;
	p = p * r + 1.0 / 3628800.0;
	p = p * r + 1.0 / 362880.0;
	p = p * r + 1.0 / 40320.0;
	p = p * r + 1.0 / 5040.0;
	p = p * r + 1.0 / 720.0;
	p = p * r + 1.0 / 120.0;
	p = p * r + 1.0 / 24.0;
	p = p * r + 1.0 / 6.0;
	p = p * r + 0.5;
	p = p * r * r + r; /* exp(r) - 1 */
	/* scale by 2^k in at most two exact steps (k may reach -1075 near underflow) */
	if (k < -1000)
		return (1.0 + p) * cat_pow2(k + 600) * cat_pow2(-600);
	if (k > 1000)
		return (1.0 + p) * cat_pow2(k - 100) * cat_pow2(100);
	return (1.0 + p) * cat_pow2(k);
}

double cat_log(double x)
{
	if (x != x || x < 0)
		return NAN;
	if (x == 0)
		return -HUGE_VAL;
	if (x == HUGE_VAL)
		return x;
	int e = 0;
	if (x < 0x1.0p-1022) { /* subnormal: scale into the normal range first */
		x *= 0x1.0p+64;
		e = -64;
	}
	uint64_t b;
	memcpy(&b, &x, sizeof b);
	e += (int)((b >> 52) & 0x7FF) - 1022;
	b = (b & 0x000FFFFFFFFFFFFFULL) | 0x3FE0000000000000ULL; /* m in [0.5, 1) */
	double m;
	memcpy(&m, &b, sizeof m);
	if (m < 0.70710678118654752440) {
		m *= 2;
		e--;
	}
	/* log m = 2 atanh(f), f = (m - 1)/(m + 1), |f| <= 0.1716 */
	double f = (m - 1.0) / (m + 1.0), f2 = f * f;
	double s = 1.0 / 25;
	s = s * f2 + 1.0 / 23;
	s = s * f2 + 1.0 / 21;
	s = s * f2 + 1.0 / 19;
	s = s * f2 + 1.0 / 17;
	s = s * f2 + 1.0 / 15;
	s = s * f2 + 1.0 / 13;
	s = s * f2 + 1.0 / 11;
	s = s * f2 + 1.0 / 9;
	s = s * f2 + 1.0 / 7;
	s = s * f2 + 1.0 / 5;
	s = s * f2 + 1.0 / 3;
	double lm = 2.0 * f + 2.0 * f * f2 * s;
	return (e * cat_ln2_lo + lm) + e * cat_ln2_hi;
}

double cat_log1p(double x)
{
	if (x != x || x < -1)
		return NAN;
	if (x == -1)
		return -HUGE_VAL;
	double u = 1.0 + x;
	if (u == 1.0)
		return x; /* |x| below half an ulp of 1 */
	if (x == HUGE_VAL)
		return x;
	/* log(u) is exact for u; correct for the rounding of 1 + x (Goldberg's trick) */
	return cat_log(u) * (x / (u - 1.0));
}
