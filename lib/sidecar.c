#include <string.h>

#include "sidecar.h"

int
sidecar_match(const char *name)
{
	size_t n = strlen(name), s = sizeof(SIDECAR_SUFFIX) - 1;

	return n > s && strcmp(name + n - s, SIDECAR_SUFFIX) == 0;
}

int
sidecar_parse(const char *name, struct sidecar *sc)
{
	static const char repro[] = ".repro";
	size_t n, rn = sizeof(repro) - 1, i;
	const char *hex;

	memset(sc, 0, sizeof(*sc));
	if (!sidecar_match(name))
		return 0;
	n = strlen(name) - (sizeof(SIDECAR_SUFFIX) - 1);
	if (n > rn && memcmp(name + n - rn, repro, rn) == 0) {
		sc->repro = 1;
		n -= rn;
	}
	/* A test name of at least one byte, a dash, 16 hex digits. */
	if (n < 18 || n - 17 > SIDECAR_NAME_MAX || name[n - 17] != '-')
		return 0;
	hex = name + n - 16;
	for (i = 0; i < 16; i++)
		if (!((hex[i] >= '0' && hex[i] <= '9') ||
		    (hex[i] >= 'a' && hex[i] <= 'f')))
			return 0;
	memcpy(sc->test, name, n - 17);
	sc->test[n - 17] = '\0';
	memcpy(sc->variant, hex, 16);
	sc->variant[16] = '\0';
	return 1;
}
