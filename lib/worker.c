#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "worker.h"

/* The jobs are walks of a piece: no deep recursion, no big locals. */
#define WORKER_STACK	(256u << 10)

/*
 * One mutex and one condition variable guard the job: fn is set (and
 * busy raised) by worker_run, busy lowered by the helper when fn has
 * returned, quit raised by worker_free. Both sides wait on the same
 * condition variable and broadcast, so neither misses the other's change.
 */
struct worker {
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	void (*fn)(void *);
	void *arg;
	int busy, quit;
};

static void *
worker_main(void *arg)
{
	struct worker *k = arg;
	void (*fn)(void *);

	pthread_mutex_lock(&k->mu);
	for (;;) {
		while (!k->quit && (!k->busy || k->fn == NULL))
			pthread_cond_wait(&k->cv, &k->mu);
		if (k->quit && !k->busy)
			break;
		fn = k->fn;
		k->fn = NULL;
		pthread_mutex_unlock(&k->mu);
		fn(k->arg);
		pthread_mutex_lock(&k->mu);
		k->busy = 0;
		pthread_cond_broadcast(&k->cv);
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

struct worker *
worker_new(void)
{
	struct worker *k;
	pthread_attr_t attr;
	sigset_t all, old;
	int rc;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	pthread_mutex_init(&k->mu, NULL);
	pthread_cond_init(&k->cv, NULL);
	/*
	 * The helper takes no signal: the program's handlers run on the
	 * thread that installed them. It inherits the blocked set.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, WORKER_STACK);
	rc = pthread_create(&k->thr, &attr, worker_main, k);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_mutex_destroy(&k->mu);
		pthread_cond_destroy(&k->cv);
		free(k);
		errno = rc;
		return NULL;
	}
	return k;
}

void
worker_run(struct worker *k, void (*fn)(void *), void *arg)
{
	pthread_mutex_lock(&k->mu);
	k->fn = fn;
	k->arg = arg;
	k->busy = 1;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
}

void
worker_wait(struct worker *k)
{
	pthread_mutex_lock(&k->mu);
	while (k->busy)
		pthread_cond_wait(&k->cv, &k->mu);
	pthread_mutex_unlock(&k->mu);
}

void
worker_free(struct worker *k)
{
	if (k == NULL)
		return;
	pthread_mutex_lock(&k->mu);
	k->quit = 1;
	pthread_cond_broadcast(&k->cv);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->thr, NULL);
	pthread_mutex_destroy(&k->mu);
	pthread_cond_destroy(&k->cv);
	free(k);
}
