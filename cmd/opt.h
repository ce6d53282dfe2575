/* opt.c: options, operands, usage and help, the same for every command. */
#ifndef OPT_H
#define OPT_H

#include <stddef.h>
#include <stdint.h>

/* The synopsis on standard error, exit status 2. */
void opt_usage(const char *synopsis) __attribute__((noreturn));
/* The command's --help on standard output, exit status 0. */
void opt_help(const char *synopsis) __attribute__((noreturn));
/* Between min and max operands, else a message and opt_usage(). */
void opt_operands(int argc, char **argv, int min, int max,
    const char *synopsis);
/* An option's value, or a message and exit status 2. */
uint32_t opt_tag(const char *opt, const char *arg);
uint64_t opt_size(const char *opt, const char *arg, uint64_t min,
    uint64_t max);
void opt_tags_differ(uint32_t trace_tag, uint32_t chunk_tag);
/* The --max-frame value that admits a frame of len bytes. */
const char *opt_cap_for(uint64_t len, char *buf, size_t buflen);
/* A dump's name as an operand of a command line to copy. */
const char *opt_dump_arg(const char *name);

#endif
