/*
 * Small helpers the test tools share (mkpb, mutate, mkframe, slowcat,
 * interleave): varints, numbers from the command line, whole reads and
 * writes. Each exits with status 2 and a message on trouble, as a tool
 * of the suites does. The fuzz oracle (tests/fuzz/naive.c) keeps its own
 * code on purpose and does not use these.
 */
#ifndef TESTSUP_H
#define TESTSUP_H

#include <stddef.h>
#include <stdint.h>

#define TS_VARINT_MAX	10	/* bytes in the longest varint */

size_t	ts_varint_enc(unsigned char *, uint64_t);
size_t	ts_varint_len(uint64_t);
int	ts_varint_dec(const unsigned char *, size_t, size_t, uint64_t *,
	    size_t *);
uint64_t ts_number(const char *, const char *, uint64_t, uint64_t);
uint64_t ts_optnum(int, const char *, uint64_t, uint64_t);
unsigned char *ts_slurp(int, const char *, size_t, size_t *);
void	ts_write_all(int, const char *, const void *, size_t);

#endif
