/*
 * The TAP stream of the C unit tests. Define TAP_NAME before including
 * this; call ok() for each check and end main() with return tap_done().
 */
#ifndef TAP_H
#define TAP_H

#include <stdio.h>

static int ntests, nfailed;

static void
ok(int cond, const char *what)
{
	ntests++;
	if (!cond)
		nfailed++;
	printf("%s %d - %s: %s\n", cond ? "ok" : "not ok", ntests, TAP_NAME,
	    what);
}

static int
tap_done(void)
{
	printf("1..%d\n", ntests);
	return nfailed != 0;
}

#endif
