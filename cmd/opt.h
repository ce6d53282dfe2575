/* opt.c: options, operands, usage and help, the same for every command. */
#ifndef OPT_H
#define OPT_H

#include <stddef.h>
#include <stdint.h>

struct option;

/* The running command, whose usage line follows a bad option value. */
void opt_command(const char *synopsis);
/* The synopsis on standard error, exit status 2. */
void opt_usage(const char *synopsis) __attribute__((noreturn));
/* The command's --help on standard output, exit status 0. */
void opt_help(const char *synopsis) __attribute__((noreturn));
/* Between min and max operands, else a message and opt_usage(). */
void opt_operands(int argc, char **argv, int min, int max,
    const char *synopsis);
/* getopt_long(), with "did you mean" after an unrecognized option. */
int opt_getopt(int argc, char **argv, const char *optstring,
    const struct option *longopts);
/*
 * An option's value, else a message, the usage line and exit status 2.
 * opt_tag_name() also takes ktstr names.
 */
uint32_t opt_tag(const char *opt, const char *arg);
uint32_t opt_tag_name(const char *opt, const char *arg);
uint64_t opt_size(const char *opt, const char *arg, uint64_t min,
    uint64_t max);
void opt_bad_choice(const char *opt, const char *arg, const char *want)
    __attribute__((noreturn));
void opt_tags_differ(uint32_t trace_tag, uint32_t chunk_tag);
/* The --max-frame value that admits a frame of len bytes. */
const char *opt_cap_for(uint64_t len, char *buf, size_t buflen);
/* A dump's name as an operand of a command line to copy. */
const char *opt_dump_arg(const char *name);

#endif
