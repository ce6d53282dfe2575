#include <signal.h>
#include <string.h>

#include "signals.h"
#include "../lib/outfile.h"
#include "../lib/pump.h"

/*
 * Handlers are the program's, not the library's (as zstd keeps them in
 * programs/): lib/ only says what to remove (outfile_unlink_all()) and
 * whether a SIGBUS is a mapped input that shrank (pump_sigbus()).
 */

static void
on_fatal(int sig)
{
	outfile_unlink_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
on_bus(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* Returns only when the fault is not the pump's. */
	pump_sigbus(si);
	on_fatal(sig);
}

/* A signal ignored at the start stays so (nohup, background jobs). */
static void
catch(int sig, const struct sigaction *sa)
{
	struct sigaction old;

	if (sigaction(sig, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		return;
	sigaction(sig, sa, NULL);
}

void
signals_init(void)
{
	static const int fatal[] = { SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGABRT,
	    SIGFPE, SIGSEGV, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
	    SIGXCPU, SIGVTALRM, SIGPROF, SIGSYS, SIGTRAP, SIGSTKFLT, SIGIO,
	    SIGPWR };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_fatal;
	for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		catch(fatal[i], &sa);
	sa.sa_handler = NULL;
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO;
	catch(SIGBUS, &sa);
	/* A file size limit: EFBIG and exit 2 with a message, not a kill. */
	signal(SIGXFSZ, SIG_IGN);
}
