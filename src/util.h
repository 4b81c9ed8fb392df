/* util.h: errors, buffers, byte order, files and clocks shared by every layer */
#ifndef AGGR_UTIL_H
#define AGGR_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit status, frozen once shipped (aggr(1) EXIT STATUS). */
enum {
	EX_OK = 0,
	EX_FAIL = 1,      /* I/O, internal, unexpected */
	EX_USAGE = 2,     /* unknown command or option, bad argument */
	EX_DATA = 3,      /* a record failed validation */
	EX_NOTFOUND = 4,  /* unknown stream, event id, log */
	EX_CONFLICT = 5,  /* locked store, owned stream, ack out of order */
	EX_PERM = 6,      /* permission denied */
	EX_LIMIT = 7,     /* batch larger than --max-batch */
	EX_CORRUPT = 8,   /* damage found by check or met by a query */
	EX_LEFTOVER = 9,  /* check: uncommitted bytes of an interrupted run, nothing committed damaged */
};

#if defined(__GNUC__)
#define ATTR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ATTR_PRINTF(a, b)
#endif

/*
 * The error of the current command. Lower layers record what went wrong with
 * err_set() and return its code; main() prints "aggr: CMD: MESSAGE" once.
 * err_set() returns code so callers can write "return err_set(...)".
 * A second err_set() while one is pending keeps the first (the root cause).
 * Main thread only (it aborts elsewhere): code that may run on another
 * thread records its failure in a struct fault (fault.h) for the caller.
 */
int err_set(int code, const char *fmt, ...) ATTR_PRINTF(2, 3);
/* Like err_set() but appends ": strerror(errno)" and maps EACCES/EPERM to
 * EX_PERM, everything else to EX_FAIL. */
int err_sys(const char *fmt, ...) ATTR_PRINTF(1, 2);
const char *err_msg(void);   /* "" when nothing is pending */
int err_code(void);          /* the pending code, EX_FAIL when none */
void err_clear(void);

/* Diagnostics that do not end the command: "aggr: CMD: ..." on stderr. */
extern const char *prog_cmd;   /* name of the running command, for messages */
extern int verbosity;          /* -1 quiet, 0 default, 1 verbose */
void warnx_(const char *fmt, ...) ATTR_PRINTF(1, 2);
void info_(const char *fmt, ...) ATTR_PRINTF(1, 2);  /* only with -v */

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
void *xcalloc(size_t n, size_t m);
char *xstrdup(const char *s);

/* A growable byte buffer; data is always NUL-terminated after len. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};
void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_addf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3);
void buf_add_i64(struct buf *b, int64_t v);
static inline void buf_reset(struct buf *b) { b->len = 0; if (b->data) b->data[0] = 0; }

/* Little-endian fixed-width encoding for on-disk structures. */
void put_le16(unsigned char *p, uint16_t v);
void put_le32(unsigned char *p, uint32_t v);
void put_le64(unsigned char *p, uint64_t v);
uint16_t get_le16(const unsigned char *p);
uint32_t get_le32(const unsigned char *p);
uint64_t get_le64(const unsigned char *p);

uint32_t crc32_of(const void *p, size_t n);

/* Whole-buffer I/O that retries on EINTR and short counts.
 * Return 0 on success, -1 with errno set on failure; read_full returns the
 * number of bytes read (short only at end of file) or -1. */
int write_full(int fd, const void *p, size_t n);
int pwrite_full(int fd, const void *p, size_t n, off_t off);
ssize_t pread_full(int fd, void *p, size_t n, off_t off);
ssize_t read_full(int fd, void *p, size_t n);

/* fsync() the directory containing entries just created, renamed or removed.
 * Returns 0 or an err_sys() code. */
int fsync_dir(const char *dir);

/*
 * Replace DIR/NAME atomically with the n bytes at p: write DIR/.NAME.tmp
 * (0600, O_NOFOLLOW), fsync it, rename over NAME, fsync DIR. NAME must not
 * start with '.', so no temporary name is ever a valid NAME. Returns 0 or an
 * error code (err_set already called). A crash leaves either the old or the
 * new content, possibly plus a stale .NAME.tmp that writers delete.
 */
int atomic_replace(const char *dir, const char *name, const void *p, size_t n);
/* The same, and *renamed says whether the rename was done: when only the
 * final directory sync failed, the new content is in place (and visible)
 * but may not survive a power cut. */
int atomic_replace_ex(const char *dir, const char *name, const void *p, size_t n, int *renamed);

/* Read a whole small file. Returns 0, or -1 with errno (ENOENT when absent). */
int read_file(const char *path, struct buf *out, size_t max);

/* Microseconds since the epoch, 0 to 9999-12-31T23:59:59.999999Z: AGGR_NOW
 * when set (see time_parse), else the real clock, read once per process.
 * Returns 0, EX_USAGE when AGGR_NOW cannot be parsed or is out of that
 * range, or EX_FAIL when the clock is. */
int now_us(int64_t *out);

/* Exact decimal parsing: the whole string must be an integer in range.
 * Return 0 on success, -1 otherwise. */
int parse_i64(const char *s, size_t n, int64_t *out);
/* A size in bytes: digits, then optionally one of K, M, G, T (powers of
 * 1024, either case), at most INT64_MAX. Returns 0 and sets *out, or -1. */
int parse_size(const char *s, int64_t *out);

/*
 * Signals that stop a writer: SIGINT, SIGTERM, SIGHUP and SIGPIPE.
 * stop_signals_catch() makes each one that is not ignored set stop_signal
 * (to the first one's number) instead of ending the process at once, and
 * interrupt a blocking read of the input (read_full and the input reader
 * then fail with EINTR). Writers check stop_signal where they can stop
 * cleanly, remove what they wrote past the last commit, and main()
 * re-raises the signal, so the exit status is 128 + its number.
 */
#include <signal.h>
extern volatile sig_atomic_t stop_signal;
/* Set by a writer that stopped its work because of stop_signal; main()
 * then ends by the signal. A signal that stopped nothing (it came after
 * the commit point) leaves the command's own exit status. */
extern int stop_honoured;
void stop_signals_catch(void);

/*
 * Say, once per wait, that the command waits for the flock(2) lock on fd,
 * which guards what (a log's name): "waiting for lock on WHAT (held by pid
 * N)", the pid from /proc/locks when it can be found. Only with -v or when
 * stderr is a terminal, never with -q. *said keeps it to once.
 */
void lock_wait_notice(const char *what, int fd, int *said);

/* Monotonic seconds, for progress and lock waits. */
double mono_seconds(void);

/* Exact "%s/%s" into a fresh malloc'd string. */
char *path_join(const char *a, const char *b);

#endif
