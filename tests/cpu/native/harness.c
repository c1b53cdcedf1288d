/* The native harness: runs a CPU test body as an ordinary Linux program
 * on the host CPU (CPL3), printing the same KILN_CPU lines as the guest.
 * ct_try maps the signal back to the exception vector the kernel saw
 * (REG_TRAPNO), so a #DE in a test body reads the same here as in the
 * guest. CT_VERBOSE=PREFIX turns on DETAIL lines, as verbose= does for
 * the guest.
 */
#define _GNU_SOURCE
#include "cpu_test.h"

#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

static sigjmp_buf try_env;
static volatile sig_atomic_t try_active;
static volatile int try_vector;
uint64_t ct_fault_error, ct_fault_cr2;

void ct_write(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(1, s, n);
		if (w <= 0)
			_exit(2);
		s += w;
		n -= (size_t)w;
	}
}

static void on_fault(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *uc = uc_;
	if (!try_active) {
		/* A fault outside ct_try is a bug in the test body. */
		signal(sig, SIG_DFL);
		return;
	}
	try_vector = (int)uc->uc_mcontext.gregs[REG_TRAPNO];
	ct_fault_error = (uint64_t)uc->uc_mcontext.gregs[REG_ERR];
	ct_fault_cr2 = (uint64_t)(uintptr_t)si->si_addr;
	try_active = 0;
	siglongjmp(try_env, 1);
}

int ct_try(void (*fn)(void *), void *arg)
{
	if (sigsetjmp(try_env, 1)) {
		/* The kernel clears DF for the handler; a test body may have
		 * faulted with it set. */
		__asm__ volatile("cld");
		return try_vector;
	}
	try_active = 1;
	fn(arg);
	try_active = 0;
	return -1;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	int sigs[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGTRAP };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	ct_set_verbose(getenv("CT_VERBOSE"));
	const char *q = getenv("CT_QUICK");
	ct_set_quick(q && *q && *q != '0');
	ct_main();
	ct_finish();
	return ct_failed() ? 1 : 0;
}
