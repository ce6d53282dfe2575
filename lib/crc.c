#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "crc.h"

/*
 * CRC-32 (the zlib and gzip one) by carry-less multiplication where the
 * CPU has it: zlib 1.2.13's table code runs at about 3 GB/s, and on the
 * reassembly of a large file it was the main thread's whole cost (issue
 * 15: 40% of all samples). The folding follows Intel's white paper "Fast
 * CRC Computation for Generic Polynomials Using PCLMULQDQ Instruction"
 * (Gopal et al., 2009), with its constants for the bit-reflected
 * polynomial 0x04c11db7: x^(4*128+32) mod P, x^(4*128-32) mod P (fold by
 * four), x^(128+32), x^(128-32) (fold by one), x^64 mod P, and P and its
 * Barrett constant. tests/unit.c compares it with zlib at every length.
 */

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define FOLD_MIN	64

/* crc is zlib's register (pre- and post-inverted by the caller). */
__attribute__((target("pclmul,sse4.1")))
static uint32_t
crc_fold(uint32_t crc, const unsigned char *p, size_t len)
{
	__m128i x0, x1, x2, x3, x4, x5, x6, x7, x8, y5, y6, y7, y8;

	x1 = _mm_loadu_si128((const __m128i *)(const void *)p);
	x2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
	x3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
	x4 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
	x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
	x0 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);
	p += 64;
	len -= 64;
	while (len >= 64) {
		x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
		x6 = _mm_clmulepi64_si128(x2, x0, 0x00);
		x7 = _mm_clmulepi64_si128(x3, x0, 0x00);
		x8 = _mm_clmulepi64_si128(x4, x0, 0x00);
		x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
		x2 = _mm_clmulepi64_si128(x2, x0, 0x11);
		x3 = _mm_clmulepi64_si128(x3, x0, 0x11);
		x4 = _mm_clmulepi64_si128(x4, x0, 0x11);
		y5 = _mm_loadu_si128((const __m128i *)(const void *)p);
		y6 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
		y7 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
		y8 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));
		x1 = _mm_xor_si128(_mm_xor_si128(x1, x5), y5);
		x2 = _mm_xor_si128(_mm_xor_si128(x2, x6), y6);
		x3 = _mm_xor_si128(_mm_xor_si128(x3, x7), y7);
		x4 = _mm_xor_si128(_mm_xor_si128(x4, x8), y8);
		p += 64;
		len -= 64;
	}
	/* Four lanes into one. */
	x0 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
	x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
	x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
	x1 = _mm_xor_si128(_mm_xor_si128(x1, x2), x5);
	x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
	x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
	x1 = _mm_xor_si128(_mm_xor_si128(x1, x3), x5);
	x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
	x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
	x1 = _mm_xor_si128(_mm_xor_si128(x1, x4), x5);
	while (len >= 16) {
		x2 = _mm_loadu_si128((const __m128i *)(const void *)p);
		x5 = _mm_clmulepi64_si128(x1, x0, 0x00);
		x1 = _mm_clmulepi64_si128(x1, x0, 0x11);
		x1 = _mm_xor_si128(_mm_xor_si128(x1, x2), x5);
		p += 16;
		len -= 16;
	}
	/* 128 bits to 64, then Barrett reduction to 32. */
	x2 = _mm_clmulepi64_si128(x1, x0, 0x10);
	x3 = _mm_setr_epi32(~0, 0, ~0, 0);
	x1 = _mm_srli_si128(x1, 8);
	x1 = _mm_xor_si128(x1, x2);
	x0 = _mm_set_epi64x(0, 0x0163cd6124);
	x2 = _mm_srli_si128(x1, 4);
	x1 = _mm_and_si128(x1, x3);
	x1 = _mm_clmulepi64_si128(x1, x0, 0x00);
	x1 = _mm_xor_si128(x1, x2);
	x0 = _mm_set_epi64x(0x01f7011641, 0x01db710641);
	x2 = _mm_and_si128(x1, x3);
	x2 = _mm_clmulepi64_si128(x2, x0, 0x10);
	x2 = _mm_and_si128(x2, x3);
	x2 = _mm_clmulepi64_si128(x2, x0, 0x00);
	x1 = _mm_xor_si128(x1, x2);
	return (uint32_t)_mm_extract_epi32(x1, 1);
}

static int
have_clmul(void)
{
	static int known, have;

	if (!known) {
		__builtin_cpu_init();
		have = __builtin_cpu_supports("pclmul") &&
		    __builtin_cpu_supports("sse4.1");
		known = 1;
	}
	return have;
}
#endif

uint32_t
crc_update(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	size_t n;

#if defined(__x86_64__) && defined(__GNUC__)
	if (len >= FOLD_MIN && have_clmul()) {
		/* Whole 16-byte blocks folded, the tail through zlib. */
		n = len & ~(size_t)15;
		crc = ~crc_fold(~crc, p, n);
		p += n;
		len -= n;
	}
#endif
	while (len > 0) {
		n = len > UINT32_MAX ? UINT32_MAX : len;
		crc = (uint32_t)crc32(crc, p, (uInt)n);
		p += n;
		len -= n;
	}
	return crc;
}
