/* fault.c: per-call failures that any thread can record (see fault.h) */
#include "fault.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void fault_vset(struct fault *f, int code, int err_no, const char *fmt, va_list ap) ATTR_PRINTF(4, 0);
static void fault_vset(struct fault *f, int code, int err_no, const char *fmt, va_list ap)
{
	if (f->code)
		return;
	f->code = code;
	f->err_no = err_no;
	vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
}

int fault_set(struct fault *f, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fault_vset(f, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

int fault_sys(struct fault *f, const char *fmt, ...)
{
	int saved = errno;
	int code = saved == EACCES || saved == EPERM ? EX_PERM : EX_FAIL;
	va_list ap;

	va_start(ap, fmt);
	fault_vset(f, code, saved, fmt, ap);
	va_end(ap);
	errno = saved;
	return code;
}

int fault_raise(const struct fault *f)
{
	if (!f->code)
		return 0;
	/* strerror() only here, on the main thread: it may use static storage */
	if (f->err_no)
		return err_set(f->code, "%s: %s", f->msg, strerror(f->err_no));
	return err_set(f->code, "%s", f->msg);
}
