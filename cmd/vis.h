#ifndef VIS_MSG_H
#define VIS_MSG_H

/*
 * Text from outside (an operand, an option's value, an environment
 * variable) as a message shows it: every byte a terminal could act on,
 * and the backslash, as a C-style escape (vis(3)), the way check's report
 * shows paths. The copy lives until the program exits.
 */
const char *msg_vis(const char *);

#endif
