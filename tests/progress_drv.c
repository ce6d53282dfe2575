/*
 * progress_drv: drives cmd/progress.c on a fake clock. Reads lines
 * "MS BYTES ITEMS" (the clock, then an update), "clear", or "end", from
 * standard input; the module writes to standard error as it would.
 * Usage: progress_drv off|auto|forced TOTAL WHAT [UNIT]
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cmd/progress.h"

static uint64_t fake_ms;

static uint64_t
fake_clock(void)
{
	return fake_ms;
}

int
main(int argc, char **argv)
{
	struct progress p;
	unsigned long long ms, bytes, items;
	char line[256], name[200], *held = NULL;
	int mode;

	if (argc < 4 || argc > 5)
		errx(2, "usage: progress_drv off|auto|forced total what [unit]");
	if (strcmp(argv[1], "off") == 0)
		mode = PROGRESS_OFF;
	else if (strcmp(argv[1], "auto") == 0)
		mode = PROGRESS_AUTO;
	else if (strcmp(argv[1], "forced") == 0)
		mode = PROGRESS_FORCED;
	else
		errx(2, "%s: want off, auto or forced", argv[1]);
	program_invocation_short_name = "wprofck: test";
	progress_clock = fake_clock;
	progress_init(&p, argv[3], strtoull(argv[2], NULL, 10), mode);
	if (argc == 5)
		p.unit = argv[4];
	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (strcmp(line, "clear\n") == 0)
			progress_clear(&p);
		else if (strcmp(line, "end\n") == 0)
			progress_end(&p);
		else if (sscanf(line, "file %199s %llu", name, &bytes) == 2) {
			/* progress keeps the name until the next file. */
			if (strcmp(name, "-") == 0)
				progress_file(&p, NULL, 0);
			else {
				free(held);
				if ((held = strdup(name)) == NULL)
					err(2, NULL);
				progress_file(&p, held, bytes);
			}
		} else if (sscanf(line, "f %llu %llu", &ms, &bytes) == 2) {
			fake_ms = ms;
			progress_file_hook(&p, bytes, 0);
		} else if (sscanf(line, "%llu %llu %llu", &ms, &bytes,
		    &items) == 3) {
			fake_ms = ms;
			progress_hook(&p, bytes, items);
		} else
			errx(2, "bad line: %s", line);
	}
	free(held);
	return 0;
}
