#ifndef SIGNALS_H
#define SIGNALS_H

/*
 * The program's signal handling, set once at startup: fatal signals remove
 * the temporary files of lib/outfile.c and kill as before, SIGBUS in a
 * mapped input goes back to the pump, SIGXFSZ is ignored so that a file
 * size limit is an EFBIG error with a message.
 */
void signals_init(void);

#endif
