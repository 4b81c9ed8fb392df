/* follow.h: the wait of a follower (cat --follow, stream consume --follow)
 *
 * A follower prints what a log holds, then waits for new commits and prints
 * those, until SIGINT or SIGTERM, or until its standard output has no
 * reader any more (a pipe to `head -1` that exited, a closed socket): as
 * `tail -f` does, that is noticed while waiting, not only at the next write.
 */
#ifndef AGGR_FOLLOW_H
#define AGGR_FOLLOW_H

#include "log.h"

/* Catch SIGINT and SIGTERM so that follow_wait() returns and the command
 * ends normally (exit 0, what was printed flushed). */
void follow_init(void);

/*
 * Wait until the log stamped in *seen may have changed: polls every 100 ms
 * with log_stamp_again() into *now. Returns 1 when *now differs from *seen
 * (something committed: take a new snapshot); 0 when the follower must
 * stop: SIGINT or SIGTERM arrived, or standard output is a pipe or socket
 * whose reader has gone (POLLERR or POLLHUP on fd 1).
 */
int follow_wait(const struct log_stamp *seen, struct log_stamp *now);

/*
 * Close lg, the snapshot a follower read after follow_wait() filled *now,
 * and stamp it into *seen first: taken after the snapshot, so that a commit
 * in between is seen by the next wait (when the snapshot is not what *now
 * stamped, *seen is made to differ from every stamp).
 */
void follow_close(struct log *lg, const struct log_stamp *now, struct log_stamp *seen);

/* Has a signal or a gone reader of standard output asked the follower to
 * stop? Returns 1 or 0, without waiting. */
int follow_stopped(void);

#endif
