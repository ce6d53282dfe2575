/*
 * To add a subcommand: write cmd/<name>.c exporting cmd_<name>() and its
 * synopsis, declare both here, add a row to the sorted table in
 * cmd/wprofck.c and its descriptions to cmd/help.c; then document it in
 * man/wprofck.1.
 */
#ifndef CMDS_H
#define CMDS_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum { EXIT_OK = 0, EXIT_BAD = 1, EXIT_TROUBLE = 2 };

int cmd_check(int, char **);
int cmd_extract(int, char **);
int cmd_frames(int, char **);
int cmd_reassemble(int, char **);
int cmd_split(int, char **);

extern const char synopsis_check[];
extern const char synopsis_extract[];
extern const char synopsis_frames[];
extern const char synopsis_reassemble[];
extern const char synopsis_split[];

/* help.c: the one-line description of a command, NULL if unknown. */
const char *help_what(const char *cmd);
/* Synopsis, description, options and a pointer to the manual. */
void help_print(FILE *, const char *synopsis);

/* util.c */
struct wperr;
void usage(const char *synopsis) __attribute__((noreturn));
void help(const char *synopsis) __attribute__((noreturn));
uint32_t opt_tag(const char *opt, const char *arg);
void opt_tags_differ(uint32_t trace_tag, uint32_t chunk_tag);
uint64_t opt_size(const char *opt, const char *arg, uint64_t min,
    uint64_t max);
void warn_wperr(const char *name, const struct wperr *);
int input_open(const char *path, const char **name);
/* fn(in, name, out, outname, arg) */
int run_io(const char *dump, const char *out,
    int (*fn)(int, const char *, int, const char *, void *), void *arg);
int write_full(int fd, const void *buf, size_t len);
void signals_cleanup_outfiles(void);

/* hold.c: bytes held back until a verdict, in bounded memory. */
struct hold {
	unsigned char *mem;
	size_t memlen;
	int spool;
	uint64_t spooled;
};
int hold_init(struct hold *, struct wperr *);
unsigned char *hold_with_buffer(struct hold *, size_t, const char *outname);
int hold_add(struct hold *, const void *, size_t, struct wperr *);
int hold_flush(struct hold *, int fd, struct wperr *);
int hold_reset(struct hold *, struct wperr *);
void hold_free(struct hold *);

/* check.c, for reassemble --check */
int check_written(int fd, const char *path, const char *how);

#endif
