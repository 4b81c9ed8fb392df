/* test-fault.c: struct fault records a failure on any thread and raises it
 * on the main one exactly as err_set()/err_sys() would have */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fault.h"
#include "unit.h"

struct job {
	struct fault f;
	int err;
};

static void *fail_on_thread(void *arg)
{
	struct job *j = arg;

	errno = j->err;
	fault_sys(&j->f, "cannot read %s", "flows/00000000000000000000.jsonl.gz");
	fault_set(&j->f, EX_CORRUPT, "a second failure is dropped");
	return NULL;
}

static void *err_set_on_thread(void *arg)
{
	(void)arg;
	err_set(EX_FAIL, "from a thread");
	return NULL;
}

int main(void)
{
	unit_name = "fault";

	/* none recorded: raising does nothing and leaves err_set's state */
	struct fault f = FAULT_INIT;
	err_clear();
	CHECK(fault_raise(&f) == 0);
	CHECK_STR(err_msg(), "");

	/* the first failure wins, and the return is its code */
	CHECK(fault_set(&f, EX_CORRUPT, "%s: offset %d: %s", "flows/x", 7, "block truncated") == EX_CORRUPT);
	CHECK(fault_set(&f, EX_FAIL, "later") == EX_FAIL);
	CHECK(f.code == EX_CORRUPT && f.err_no == 0);
	CHECK(fault_raise(&f) == EX_CORRUPT);
	CHECK_STR(err_msg(), "flows/x: offset 7: block truncated");
	CHECK(err_code() == EX_CORRUPT);

	/* fault_sys maps errno as err_sys does, keeps errno, and raises the
	 * same message err_sys gives */
	static const int errs[] = {EACCES, EPERM, EIO, ENOSPC, EFBIG};
	for (size_t i = 0; i < sizeof(errs) / sizeof(*errs); i++) {
		struct fault g = FAULT_INIT;
		char want[256];
		int code_sys, code_f;
		err_clear();
		errno = errs[i];
		code_sys = err_sys("cannot write %s", "flows/1");
		snprintf(want, sizeof(want), "%s", err_msg());
		err_clear();
		errno = errs[i];
		code_f = fault_sys(&g, "cannot write %s", "flows/1");
		CHECK(errno == errs[i]);
		CHECK(code_f == code_sys);
		CHECK(code_f == (errs[i] == EACCES || errs[i] == EPERM ? EX_PERM : EX_FAIL));
		CHECK(fault_raise(&g) == code_sys);
		CHECK_STR(err_msg(), want);
	}

	/* filled on another thread, raised on this one */
	struct job j = {FAULT_INIT, ENOSPC};
	pthread_t t;
	CHECK(pthread_create(&t, NULL, fail_on_thread, &j) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	err_clear();
	CHECK(fault_raise(&j.f) == EX_FAIL);
	CHECK_STR(err_msg(), "cannot read flows/00000000000000000000.jsonl.gz: No space left on device");

	/* a message longer than the buffer is cut, still terminated */
	struct fault h = FAULT_INIT;
	char *big = malloc(sizeof(h.msg) * 2);
	memset(big, 'a', sizeof(h.msg) * 2 - 1);
	big[sizeof(h.msg) * 2 - 1] = 0;
	fault_set(&h, EX_FAIL, "%s", big);
	CHECK(strlen(h.msg) == sizeof(h.msg) - 1);
	free(big);

	/* err_set() on a thread breaks the rule: it stops the process (in a
	 * child here) instead of racing on the global */
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		pthread_t u;
		if (pthread_create(&u, NULL, err_set_on_thread, NULL) == 0)
			pthread_join(u, NULL);
		_exit(0);
	}
	int st = 0;
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT);

	err_clear();
	return unit_done();
}
