/*
 * tag.c: the message types of a drain, the one table of their ktstr
 * names, and the parsing of a type typed on a command line.
 */
#ifndef TAG_H
#define TAG_H

#include <stddef.h>
#include <stdint.h>

#define TAG_WPRF	0x57505246u	/* WprofTrace, the terminal slice */
#define TAG_WPRC	0x57505243u	/* WprofTraceChunk */

struct wperr;

const char *tag_name(uint32_t type);	/* ktstr name or NULL */
int tag_is_text(uint32_t type);		/* payloads a terminal may show */
/* The four characters the value spells, most significant byte first. */
void tag_chars(uint32_t type, char out[4]);
/* The same with vis(3) C-style escapes for unprintable bytes. */
void tag_vis(uint32_t type, char *out);
/* The ktstr name of a type, else tag_vis() of it. */
#define TAG_NAME_MAX 17
const char *tag_type_name(uint32_t, char buf[TAG_NAME_MAX]);
int tag_parse(const char *, uint32_t *, struct wperr *);
int tag_parse_name(const char *, uint32_t *, struct wperr *);
/* The i-th known type and its ktstr name; NULL when i is past the end. */
const char *tag_known(size_t i, uint32_t *type);

#endif
