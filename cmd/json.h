/*
 * JSON string output shared by the subcommands that speak JSON.
 *
 * The string is written quoted. Valid UTF-8 passes through as is; '"',
 * '\\' and the control characters are escaped (\b \f \n \r \t, others and
 * DEL as \u00XX). Each byte that is not part of well-formed UTF-8 (RFC
 * 3629: no overlong forms, no surrogates, nothing above U+10FFFF) is
 * written as the lone surrogate escape \uDCXX, XX being the byte (0x80 to
 * 0xFF), as Python's "surrogateescape" does. Well-formed UTF-8 never holds
 * U+DC80 to U+DCFF, so the mapping reverses exactly: turn every such code
 * point back into its low byte, e.g. os.fsencode(json.loads(line)["path"]).
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdio.h>

void json_string(FILE *, const char *);
void json_nstring(FILE *, const char *, size_t);

#endif
