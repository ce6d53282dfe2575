/*
 * worker_*: one helper thread that runs one job at a time for the thread
 * that made it, which waits for each job before it starts another or
 * reads what the job wrote. Nothing here prints or exits.
 */
#ifndef WORKER_H
#define WORKER_H

struct worker;

/* NULL when no thread can be started (errno says why). */
struct worker *worker_new(void);
/* Starts fn(arg) on the helper; the last job must have been waited for. */
void worker_run(struct worker *, void (*fn)(void *), void *arg);
/* Returns once the job is done: what it wrote is then visible here. */
void worker_wait(struct worker *);
/* Waits for a job still running, stops the thread, frees; NULL is none. */
void worker_free(struct worker *);

#endif
