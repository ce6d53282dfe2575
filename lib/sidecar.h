/*
 * The sidecar file name convention of ktstr:
 * {test}-{variant:016x}.wprof.pb and {test}-{variant:016x}.repro.wprof.pb.
 */
#ifndef SIDECAR_H
#define SIDECAR_H

#define SIDECAR_SUFFIX	".wprof.pb"
#define SIDECAR_NAME_MAX	255

struct sidecar {
	char test[SIDECAR_NAME_MAX + 1];
	char variant[17];
	int repro;
};

int sidecar_match(const char *name);	/* ends in .wprof.pb */
int sidecar_parse(const char *name, struct sidecar *);	/* 1 when it fits */

#endif
