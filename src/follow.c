/* follow.c: the wait of a follower (see follow.h) */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "follow.h"

static volatile sig_atomic_t follow_signal;

static void follow_on_stop(int sig)
{
	follow_signal = sig;
}

void follow_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = follow_on_stop;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a signal cuts the poll() wait short */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Wait up to ms for fd 1 to report that its reader has gone. Returns 1 when
 * it has. With no events asked, poll() reports only POLLERR, POLLHUP and
 * POLLNVAL: a file, a terminal or /dev/null never wake it early. */
static int stdout_gone(int ms)
{
	struct pollfd pfd = {1, 0, 0};
	int n = poll(&pfd, 1, ms);

	if (n == 1 && (pfd.revents & (POLLERR | POLLHUP)))
		return 1;
	if (n == 1 && ms > 0) {
		/* POLLNVAL (fd 1 closed): poll() would not wait; sleep instead */
		struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR && !follow_signal)
			;
	}
	return 0;
}

int follow_stopped(void)
{
	return follow_signal || stdout_gone(0);
}

void follow_close(struct log *lg, const struct log_stamp *now, struct log_stamp *seen)
{
	log_stamp(lg, seen);
	log_close(lg);
	if (!log_stamp_same(now, seen))
		seen->ino = 0;
}

int follow_wait(const struct log_stamp *seen, struct log_stamp *now)
{
	for (;;) {
		if (follow_signal || stdout_gone(100) || follow_signal)
			return 0;
		log_stamp_again(seen, now);
		if (!log_stamp_same(now, seen))
			return 1;
	}
}
