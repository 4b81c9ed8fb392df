/*
 * sigshim.so: an LD_PRELOAD shim that sends the process a signal at its Nth
 * sync point (fsync, fdatasync) or rename, just before doing it, so that a
 * signal can be made to arrive at each step of a write path, the commit
 * point and what follows it included, without depending on timing.
 *   SIGSHIM_AT=N      the step (1 = the first); 0 or unset: never
 *   SIGSHIM_SIG=S     the signal number (default SIGTERM)
 *   SIGSHIM_COUNT=F   receives the number of steps at exit
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static long at = -1, count;
static int sig = SIGTERM;

static void step(void)
{
	if (at < 0) {
		const char *a = getenv("SIGSHIM_AT"), *s = getenv("SIGSHIM_SIG");
		at = a ? atol(a) : 0;
		if (s && atoi(s) > 0)
			sig = atoi(s);
	}
	if (++count == at)
		kill(getpid(), sig);
}

static void report(void) __attribute__((destructor));
static void report(void)
{
	const char *f = getenv("SIGSHIM_COUNT");
	FILE *o;

	if (f && (o = fopen(f, "w"))) {
		fprintf(o, "%ld\n", count);
		fclose(o);
	}
}

int fsync(int fd)
{
	static int (*real)(int);
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	step();
	return real(fd);
}

int fdatasync(int fd)
{
	static int (*real)(int);
	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	step();
	return real(fd);
}

int rename(const char *a, const char *b)
{
	static int (*real)(const char *, const char *);
	if (!real)
		real = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
	step();
	return real(a, b);
}
