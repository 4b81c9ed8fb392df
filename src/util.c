#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>
#include <libdeflate.h>

#include "timefmt.h"

const char *prog_cmd = "aggr";
int verbosity;

static char err_buf[1024];
static int err_pending;

/* The command's error lives in one global, which only the main thread may
 * touch; a thread that needs to fail fills a struct fault (fault.h). Break
 * that rule and the command stops here, in every build, rather than race. */
static void err_main_thread_only(void)
{
	if ((pid_t)syscall(SYS_gettid) != getpid()) {
		fputs("aggr: internal error: err_set() called on a thread (use struct fault)\n", stderr);
		abort();
	}
}

int err_set(int code, const char *fmt, ...)
{
	va_list ap;

	err_main_thread_only();
	if (err_pending)
		return code;
	err_pending = code;
	va_start(ap, fmt);
	vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	return code;
}

int err_sys(const char *fmt, ...)
{
	int saved = errno;
	int code = (saved == EACCES || saved == EPERM) ? EX_PERM : EX_FAIL;
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(code, "%s: %s", msg, strerror(saved));
}

const char *err_msg(void) { return err_pending ? err_buf : ""; }
int err_code(void) { return err_pending ? err_pending : EX_FAIL; }
void err_clear(void) { err_pending = 0; err_buf[0] = 0; }

static void vmsg(int level, const char *fmt, va_list ap) ATTR_PRINTF(2, 0);
static void vmsg(int level, const char *fmt, va_list ap)
{
	if (verbosity < level)
		return;
	fprintf(stderr, "aggr: %s: ", prog_cmd);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(0, fmt, ap);
	va_end(ap);
}

void info_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(1, fmt, ap);
	va_end(ap);
}

static void oom(void)
{
	fputs("aggr: out of memory\n", stderr);
	exit(EX_FAIL);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		oom();
	return p;
}

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void buf_reserve(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
}

void buf_addc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = 0;
}

void buf_adds(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_add_i64(struct buf *b, int64_t v)
{
	char tmp[24];
	char *p = tmp + sizeof(tmp);
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

void put_le16(unsigned char *p, uint16_t v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
void put_le32(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i)); }
void put_le64(unsigned char *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i)); }
uint16_t get_le16(const unsigned char *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t get_le64(const unsigned char *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

uint32_t crc32_of(const void *p, size_t n)
{
	return libdeflate_crc32(0, p, n);
}

/* off < 0: write(2) at the file offset, else pwrite(2) at off */
static int write_all(int fd, const void *p, size_t n, off_t off)
{
	const char *q = p;

	/* a short write is followed by one that says why (ENOSPC, EFBIG) */
	while (n) {
		ssize_t w = off < 0 ? write(fd, q, n) : pwrite(fd, q, n, off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		q += w;
		n -= (size_t)w;
		if (off >= 0)
			off += w;
	}
	return 0;
}

int pwrite_full(int fd, const void *p, size_t n, off_t off) { return write_all(fd, p, n, off); }
int write_full(int fd, const void *p, size_t n) { return write_all(fd, p, n, -1); }

/* read() or, when off >= 0, pread() until n bytes, the end, or an error */
static ssize_t io_full(int fd, void *p, size_t n, off_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = off < 0 ? read(fd, (char *)p + got, n - got)
				    : pread(fd, (char *)p + got, n - got, off + (off_t)got);
		if (r < 0) {
			if (errno == EINTR && !(off < 0 && stop_signal))
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

ssize_t pread_full(int fd, void *p, size_t n, off_t off) { return io_full(fd, p, n, off); }
ssize_t read_full(int fd, void *p, size_t n) { return io_full(fd, p, n, -1); }

int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_sys("cannot open directory %s", dir);
	if (fsync(fd) < 0) {
		int code = err_sys("cannot sync directory %s", dir);
		close(fd);
		return code;
	}
	close(fd);
	return 0;
}

int atomic_replace(const char *dir, const char *name, const void *p, size_t n)
{
	int renamed;

	return atomic_replace_ex(dir, name, p, n, &renamed);
}

int atomic_replace_ex(const char *dir, const char *name, const void *p, size_t n, int *renamed)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	int fd, code;

	*renamed = 0;
	snprintf(dst, sizeof(dst), "%s/%s", dir, name);
	/* ".NAME.tmp": names aggr stores never start with '.', so a
	 * temporary file cannot be taken for one (a position "X.tmp") */
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_sys("cannot create %s", tmp);
	if (write_full(fd, p, n) < 0) {
		code = err_sys("cannot write %s", tmp);
		goto fail;
	}
	if (fsync(fd) < 0) {
		code = err_sys("cannot sync %s", tmp);
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		code = err_sys("cannot close %s", tmp);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, dst) < 0) {
		code = err_sys("cannot rename %s", tmp);
		goto fail;
	}
	*renamed = 1;
	return fsync_dir(dir);
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return code;
}

int read_file(const char *path, struct buf *out, size_t max)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	char chunk[65536];
	ssize_t r;

	if (fd < 0)
		return -1;
	buf_reset(out);
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (out->len + (size_t)r > max) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
		buf_add(out, chunk, (size_t)r);
	}
	close(fd);
	if (!out->data)
		buf_add(out, "", 0);
	return 0;
}

/* 9999-12-31T23:59:59.999999Z, the last time aggr reads or stores */
#define NOW_MAX_US INT64_C(253402300799999999)

int now_us(int64_t *out)
{
	static int cached;
	static int64_t value;
	const char *env = getenv("AGGR_NOW");

	if (cached) {
		*out = value;
		return 0;
	}
	if (env && *env) {
		/* now reaches stored records (event starts, ingest times): it
		 * must pass the checks input does */
		if (time_parse_absolute(env, &value) != 0 || value < 0 || value > NOW_MAX_US)
			return err_set(EX_USAGE, "AGGR_NOW: not a time from 1970-01-01T00:00:00Z to "
				       "9999-12-31T23:59:59.999999Z (epoch seconds 0 to 253402300799.999999): %s", env);
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		value = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
		if (value < 0 || value > NOW_MAX_US)
			return err_set(EX_FAIL, "the system clock is outside 1970 to 9999");
	}
	/* One "now" per process, so every part of a command agrees on it. */
	cached = 1;
	*out = value;
	return 0;
}

int parse_i64(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	uint64_t v = 0, lim;

	if (n == 0)
		return -1;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		unsigned d = (unsigned)(s[i] - '0');
		if (v > (lim - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

int parse_size(const char *s, int64_t *out)
{
	static const char units[] = "kmgt";
	size_t n = strlen(s);
	int shift = 0;
	int64_t v;

	if (n && !(s[n - 1] >= '0' && s[n - 1] <= '9')) {
		const char *u = strchr(units, s[n - 1] | 0x20);
		if (!u || !*u)
			return -1;
		shift = 10 * (int)(u - units + 1);
		n--;
	}
	/* digits only: no sign, no space */
	if (!n || s[0] < '0' || s[0] > '9' || parse_i64(s, n, &v))
		return -1;
	if (v > INT64_MAX >> shift)
		return -1;
	*out = v << shift;
	return 0;
}

/* The pid of a process holding a flock(2) lock on the file of fd, from
 * /proc/locks ("1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"), or 0. */
static long lock_holder(int fd)
{
	struct stat st;
	char line[256];
	long pid = 0;
	FILE *f;

	if (fstat(fd, &st) < 0 || !(f = fopen("/proc/locks", "re")))
		return 0;
	while (!pid && fgets(line, sizeof(line), f)) {
		char type[16], mode[16];
		unsigned maj, min;
		unsigned long long ino;
		long p;
		/* a blocked waiter's line starts "1: -> FLOCK": no match */
		if (sscanf(line, "%*d: %15s %*s %15s %ld %x:%x:%llu", type, mode, &p, &maj, &min, &ino) == 6 &&
		    !strcmp(type, "FLOCK") && ino == (unsigned long long)st.st_ino &&
		    makedev(maj, min) == st.st_dev && p != (long)getpid())
			pid = p;
	}
	fclose(f);
	return pid;
}

void lock_wait_notice(const char *what, int fd, int *said)
{
	long pid;

	if (*said || verbosity < 0 || (verbosity < 1 && !isatty(2)))
		return;
	*said = 1;
	if ((pid = lock_holder(fd)) > 0)
		fprintf(stderr, "aggr: %s: waiting for lock on %s (held by pid %ld)\n", prog_cmd, what, pid);
	else
		fprintf(stderr, "aggr: %s: waiting for lock on %s\n", prog_cmd, what);
}

double mono_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	char *p = xmalloc(la + lb + 2);

	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + 1, b, lb + 1);
	return p;
}

volatile sig_atomic_t stop_signal;
int stop_honoured;

static void on_stop_signal(int sig)
{
	if (!stop_signal)
		stop_signal = sig;
}

void stop_signals_catch(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
	static int done;
	struct sigaction sa, old;

	if (done)
		return;
	done = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* no SA_RESTART: a blocking read returns EINTR; a second signal of the
	 * same kind ends the process at once (the next writer cleans up) */
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
}
