/* fault.h: a failure met on any thread, reported by the caller */
#ifndef AGGR_FAULT_H
#define AGGR_FAULT_H

#include <limits.h>

#include "util.h"

/*
 * The error of one call, in the caller's storage, so that any thread can
 * record it (the model is LevelDB's Reporter). err_set() keeps the one
 * error of the command in a global that only the main thread may touch;
 * code that may run on another thread (the deflate and read-ahead threads
 * of src/log-threads.c and everything they call) takes a struct fault
 * instead and never calls err_set(), and the thread that owns the command
 * turns the fault into its message with fault_raise().
 *
 * Contract:
 *  - Zero it before use (FAULT_INIT or memset); code 0 means none.
 *  - The first fault_set()/fault_sys() wins, later ones are dropped, as
 *    with err_set(): the first failure is the root cause.
 *  - One thread at a time writes a given fault; handing it to another
 *    thread needs the same lock or join that hands over the work.
 *  - fault_raise() gives exactly the message and code err_set()/err_sys()
 *    would have given on the calling thread, so moving a failure onto a
 *    thread changes no output.
 */
struct fault {
	int code;                     /* 0: none yet; else the exit code (EX_*) */
	int err_no;                   /* errno of a failed call, or 0 */
	char msg[PATH_MAX + 96];      /* "what", without ": strerror" */
};
#define FAULT_INIT {0, 0, ""}

/* Record a failure with exit code code and message fmt (unless one is
 * recorded). Returns code, so callers can write "return fault_set(...)". */
int fault_set(struct fault *f, int code, const char *fmt, ...) ATTR_PRINTF(3, 4);
/* The same for a failed system call: errno, read on entry, is kept (and
 * errno left as it was) and mapped as err_sys() maps it (EACCES and EPERM
 * to EX_PERM, else EX_FAIL); the message gets ": strerror(errno)" when
 * raised. Returns that code. */
int fault_sys(struct fault *f, const char *fmt, ...) ATTR_PRINTF(2, 3);
/* Main thread: err_set() the recorded failure ("msg" or "msg: strerror")
 * and return its code; 0 when none is recorded. */
int fault_raise(const struct fault *f);

#endif
