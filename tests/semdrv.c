/*
 * semdrv: feeds lib/sem.c from a decoding loop of its own, to measure the
 * importer rules against the semantic labels before pbwalk calls sem. It
 * knows the few messages sem wants by their place (TracePacket field 11 is
 * a TrackEvent, ...), not through the schema table.
 *
 * usage: semdrv trace
 *
 * Prints one line per finding, "reason packet offset id value other", and
 * exits 1 when a finding is a failure, 0 when there are none or only
 * notes, 2 on trouble or a file that is not a trace.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../lib/sem.h"

#define BASE_MAX	(1u << 30)
#define SYSINFO		SEM_M_COUNT	/* SystemInfo: not sem's, passed through */

/* Where a wanted message lies: in parent, field number field. */
static const struct {
	enum sem_msg parent;
	uint32_t field;
	enum sem_msg msg;
} places[] = {
	{ SEM_M_PACKET, 11, SEM_M_TRACK_EVENT },
	{ SEM_M_PACKET, 60, SEM_M_TRACK_DESCRIPTOR },
	{ SEM_M_PACKET, 6, SEM_M_CLOCK_SNAPSHOT },
	{ SEM_M_PACKET, 1, SEM_M_FTRACE_BUNDLE },
	{ SEM_M_PACKET, 12, SEM_M_INTERNED_DATA },
	{ SEM_M_TRACK_DESCRIPTOR, 4, SEM_M_THREAD_DESCRIPTOR },
	{ SEM_M_TRACK_DESCRIPTOR, 3, SEM_M_PROCESS_DESCRIPTOR },
	{ SEM_M_CLOCK_SNAPSHOT, 1, SEM_M_CLOCK },
	{ SEM_M_FTRACE_BUNDLE, 4, SEM_M_COMPACT_SCHED },
};

/* CompactSched's packed arrays, by field number. */
static int
packed(enum sem_msg m, uint32_t f)
{
	return m == SEM_M_COMPACT_SCHED && f != 5 && f < 13;
}

static int
varint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t r = 0;
	unsigned sh;

	for (sh = 0; sh < 64 && p < end; sh += 7) {
		r |= (uint64_t)(*p & 0x7f) << sh;
		if (!(*p++ & 0x80)) {
			*v = r;
			*pp = p;
			return 0;
		}
	}
	return -1;
}

static struct sem s;
static const uint8_t *base;

static int walk(const uint8_t *, const uint8_t *, enum sem_msg);

static int
nested(const uint8_t *p, size_t n, enum sem_msg parent, uint32_t field)
{
	size_t i;

	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		if (places[i].parent == parent && places[i].field == field) {
			sem_msg_begin(&s, places[i].msg, field,
			    (uint64_t)(p - base));
			if (walk(p, p + n, places[i].msg) == -1)
				return -1;
			sem_msg_end(&s, places[i].msg);
			return 0;
		}
	/* SystemInfo (packet field 45) holds Utsname in its field 1. */
	if (parent == SEM_M_PACKET && field == 45)
		return walk(p, p + n, SYSINFO);
	if (parent == SYSINFO && field == 1) {
		sem_msg_begin(&s, SEM_M_UTSNAME, 1, (uint64_t)(p - base));
		if (walk(p, p + n, SEM_M_UTSNAME) == -1)
			return -1;
		sem_msg_end(&s, SEM_M_UTSNAME);
	}
	return 0;
}

static int
walk(const uint8_t *p, const uint8_t *end, enum sem_msg m)
{
	uint64_t key, v;

	while (p < end) {
		uint32_t f;

		if (varint(&p, end, &key) == -1 || (key >> 3) > UINT32_MAX)
			return -1;
		f = (uint32_t)(key >> 3);
		switch (key & 7) {
		case 0:
			if (varint(&p, end, &v) == -1)
				return -1;
			sem_field(&s, f, v);
			break;
		case 1:
		case 5:
			v = (key & 7) == 1 ? 8 : 4;
			if ((uint64_t)(end - p) < v)
				return -1;
			p += v;
			break;
		case 2:
			if (varint(&p, end, &v) == -1 ||
			    v > (uint64_t)(end - p))
				return -1;
			if (packed(m, f)) {
				const uint8_t *q = p, *qe = p + v;
				uint64_t e;

				while (q < qe) {
					if (varint(&q, qe, &e) == -1)
						return -1;
					sem_field(&s, f, e);
				}
			} else {
				sem_bytes(&s, f, p, (size_t)v);
				if (nested(p, (size_t)v, m, f) == -1)
					return -1;
			}
			p += v;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const uint8_t *p, *end;
	uint8_t *buf, *more;
	size_t n = 0, cap = 1 << 20, i;
	uint64_t key, len, index = 0;
	ssize_t r;
	int fd, fail = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: semdrv trace\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY)) == -1)
		err(2, "%s", argv[1]);
	if ((buf = malloc(cap)) == NULL)
		err(2, "malloc");
	for (;;) {
		if (n == cap) {
			if (cap >= BASE_MAX)
				errx(2, "%s: too large", argv[1]);
			cap *= 2;
			if ((more = realloc(buf, cap)) == NULL)
				err(2, "realloc");
			buf = more;
		}
		if ((r = read(fd, buf + n, cap - n)) == -1) {
			if (errno == EINTR)
				continue;
			err(2, "%s", argv[1]);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	base = p = buf;
	end = buf + n;
	sem_init(&s);
	while (p < end) {
		const uint8_t *start = p;

		if (varint(&p, end, &key) == -1 || key != (1 << 3 | 2) ||
		    varint(&p, end, &len) == -1 ||
		    len > (uint64_t)(end - p))
			errx(2, "%s: not a trace at offset %zu", argv[1],
			    (size_t)(start - buf));
		sem_packet_begin(&s, (uint64_t)(start - buf), index++, len);
		if (walk(p, p + len, SEM_M_PACKET) == -1)
			errx(2, "%s: bad packet at offset %zu", argv[1],
			    (size_t)(start - buf));
		sem_packet_end(&s);
		p += len;
	}
	sem_finish(&s);
	for (i = 0; i < s.nfound; i++) {
		const struct sem_finding *f = &s.found[i];

		printf("%s %llu %llu %llu %llu %llu\n",
		    sem_reason_name(f->reason), (unsigned long long)f->packet,
		    (unsigned long long)f->off, (unsigned long long)f->id,
		    (unsigned long long)f->value,
		    (unsigned long long)f->other);
		if (!sem_is_note(f->reason))
			fail = 1;
	}
	sem_free(&s);
	free(buf);
	return fail;
}
