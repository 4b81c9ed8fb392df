/*
 * powercut.so: an LD_PRELOAD shim that simulates a power cut at the Nth sync
 * point (fsync or fdatasync, of a file or a directory) of a process, in the
 * spirit of SQLite's crash tests and LevelDB's fault-injection env.
 *
 * It keeps a model of what is durable under POWERCUT_DIR:
 *   - per file (inode): its content as of its last fsync/fdatasync;
 *   - the directory entries as of the last fsync of a directory.
 * At the Nth sync point (POWERCUT_AT=N; 0 never), before that sync, it
 * rewrites the files to what a power cut could leave, then _exit(86):
 *   POWERCUT_MODE=drop  every unsynced write and entry change is lost
 *   POWERCUT_MODE=keep  everything written survives (a process crash)
 *   POWERCUT_MODE=torn  like drop, but half of each file's unsynced tail
 *                       survives (a torn write)
 * POWERCUT_EIO=N instead makes the Nth sync point fail with EIO.
 * POWERCUT_COUNT=FILE receives the number of sync points at exit.
 * POWERCUT_STDOUT=PATH: standard output is the file PATH (see the end).
 * Only what aggr uses is modelled: open/openat, fsync, fdatasync, rename,
 * unlink, close; writes are appends or truncations.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXF 256

struct inode {
	unsigned char *synced;  /* content at the last sync (or when first seen) */
	size_t len;
	int used;
};

struct entry {
	char path[PATH_MAX];
	int ino;                /* index into inodes, -1: no entry */
};

static struct inode inodes[MAXF];
static struct entry cur[MAXF], dur[MAXF];  /* the namespace now, and durable */
static int fd_ino[4096];
static char *fd_path[4096];  /* to read back files opened write-only */
static char prefix[PATH_MAX];
static size_t prefix_len;
static long at, eio_at, count;
static int mode;  /* 0 drop, 1 keep, 2 torn */
static int ready;

static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_rename)(const char *, const char *);
static int (*real_unlink)(const char *);
static int (*real_close)(int);

static void init(void)
{
	const char *d, *a, *m;

	if (ready)
		return;
	ready = 1;
	real_open = dlsym(RTLD_NEXT, "open");
	real_openat = dlsym(RTLD_NEXT, "openat");
	real_fsync = dlsym(RTLD_NEXT, "fsync");
	real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
	real_rename = dlsym(RTLD_NEXT, "rename");
	real_unlink = dlsym(RTLD_NEXT, "unlink");
	real_close = dlsym(RTLD_NEXT, "close");
	for (int i = 0; i < 4096; i++)
		fd_ino[i] = -1;
	for (int i = 0; i < MAXF; i++)
		cur[i].ino = dur[i].ino = -1;
	d = getenv("POWERCUT_DIR");
	a = getenv("POWERCUT_AT");
	m = getenv("POWERCUT_MODE");
	if (d)
		snprintf(prefix, sizeof(prefix), "%s/", d);
	prefix_len = d ? strlen(prefix) : 0;
	at = a ? atol(a) : 0;
	eio_at = getenv("POWERCUT_EIO") ? atol(getenv("POWERCUT_EIO")) : 0;
	mode = m && !strcmp(m, "keep") ? 1 : m && !strcmp(m, "torn") ? 2 : 0;
}

static int watched(const char *path)
{
	return prefix_len && !strncmp(path, prefix, prefix_len);
}

static int slot(struct entry *ns, const char *path, int create)
{
	int free_slot = -1;
	for (int i = 0; i < MAXF; i++) {
		if (ns[i].ino >= 0 && !strcmp(ns[i].path, path))
			return i;
		if (ns[i].ino < 0 && free_slot < 0)
			free_slot = i;
	}
	if (!create || free_slot < 0)
		return -1;
	snprintf(ns[free_slot].path, PATH_MAX, "%s", path);
	return free_slot;
}

static int new_inode(void)
{
	for (int i = 0; i < MAXF; i++)
		if (!inodes[i].used) {
			inodes[i].used = 1;
			inodes[i].synced = NULL;
			inodes[i].len = 0;
			return i;
		}
	abort();
}

static void read_all(int fd, unsigned char **p, size_t *n)
{
	struct stat st;
	*p = NULL;
	*n = 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	*p = malloc((size_t)st.st_size + 1);
	*n = (size_t)pread(fd, *p, (size_t)st.st_size, 0);
	if ((ssize_t)*n < 0)
		*n = 0;
}

/* First sight of an existing path: it is durable as it is. */
static int known(const char *path)
{
	int s = slot(cur, path, 0);
	if (s >= 0)
		return cur[s].ino;
	if (slot(dur, path, 0) >= 0)
		return -1;  /* durable but gone from the namespace now */
	int fd = real_open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int ino = new_inode();
	read_all(fd, &inodes[ino].synced, &inodes[ino].len);
	real_close(fd);
	cur[slot(cur, path, 1)].ino = ino;
	dur[slot(dur, path, 1)].ino = ino;
	return ino;
}

static void put_file(const char *path, const unsigned char *p, size_t n)
{
	int fd = real_open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return;
	if (n && write(fd, p, n) < 0) { /* nothing to do in a dying process */ }
	real_close(fd);
}

/* What a power cut leaves: the durable namespace, each file with its synced
 * content (plus, torn, half of what was appended since). */
static void crash(void)
{
	for (int i = 0; i < MAXF; i++) {
		if (cur[i].ino < 0 || slot(dur, cur[i].path, 0) >= 0 || mode == 1)
			continue;
		real_unlink(cur[i].path);
	}
	for (int i = 0; i < MAXF && mode != 1; i++) {
		if (dur[i].ino < 0)
			continue;
		struct inode *n = &inodes[dur[i].ino];
		unsigned char *now = NULL;
		size_t now_len = 0;
		int c = slot(cur, dur[i].path, 0);
		if (mode == 2 && c >= 0 && cur[c].ino == dur[i].ino) {
			int fd = real_open(dur[i].path, O_RDONLY);
			if (fd >= 0) {
				read_all(fd, &now, &now_len);
				real_close(fd);
			}
		}
		if (now && now_len > n->len && !memcmp(now, n->synced, n->len))
			put_file(dur[i].path, now, n->len + (now_len - n->len) / 2);
		else
			put_file(dur[i].path, n->synced, n->len);
		free(now);
	}
	_exit(86);
}

static void report(void) __attribute__((destructor));
static void report(void)
{
	const char *f = getenv("POWERCUT_COUNT");
	if (f) {
		FILE *o = fopen(f, "w");
		if (o) {
			fprintf(o, "%ld\n", count);
			fclose(o);
		}
	}
}

static int track_open(const char *path, int flags, int fd)
{
	if (fd < 0 || fd >= 4096 || !watched(path))
		return fd;
	if (flags & O_DIRECTORY) {
		fd_ino[fd] = -2;  /* a directory */
		return fd;
	}
	int s = slot(cur, path, 0);
	int ino = s >= 0 ? cur[s].ino : -1;
	if (ino < 0) {
		/* created now (known() ran before the open if it existed) */
		ino = new_inode();
		cur[slot(cur, path, 1)].ino = ino;
	}
	fd_ino[fd] = ino;
	free(fd_path[fd]);
	fd_path[fd] = strdup(path);
	return fd;
}

static int do_open(int dirfd, const char *path, int flags, mode_t m, int use_at)
{
	init();
	if (watched(path))
		known(path);
	int fd = use_at ? real_openat(dirfd, path, flags, m) : real_open(path, flags, m);
	return track_open(path, flags, fd);
}

/* the mode argument exists only when the flags create a file */
#define MODE_ARG(flags, m) do { \
	if ((flags) & (O_CREAT | O_TMPFILE)) { \
		va_list ap; \
		va_start(ap, flags); \
		m = (mode_t)va_arg(ap, int); \
		va_end(ap); \
	} \
} while (0)

int open(const char *path, int flags, ...)
{
	mode_t m = 0;
	MODE_ARG(flags, m);
	return do_open(AT_FDCWD, path, flags, m, 0);
}

int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t m = 0;
	MODE_ARG(flags, m);
	return do_open(dirfd, path, flags, m, 1);
}

static int sync_point(int fd, int data_only)
{
	init();
	if (fd < 0 || fd >= 4096 || fd_ino[fd] == -1)
		return data_only ? real_fdatasync(fd) : real_fsync(fd);
	count++;
	if (at && count == at)
		crash();
	if (eio_at && count == eio_at) {
		errno = EIO;
		return -1;
	}
	int rc = data_only ? real_fdatasync(fd) : real_fsync(fd);
	if (rc < 0)
		return rc;
	if (fd_ino[fd] == -2) {
		/* the directory: its entries as they are now become durable */
		for (int i = 0; i < MAXF; i++)
			dur[i] = cur[i];
	} else {
		struct inode *n = &inodes[fd_ino[fd]];
		int rfd = real_open(fd_path[fd], O_RDONLY | O_CLOEXEC);
		free(n->synced);
		n->synced = NULL;
		n->len = 0;
		if (rfd >= 0) {
			read_all(rfd, &n->synced, &n->len);
			real_close(rfd);
		}
	}
	return rc;
}

int fsync(int fd) { return sync_point(fd, 0); }
int fdatasync(int fd) { return sync_point(fd, 1); }

int rename(const char *a, const char *b)
{
	init();
	if (watched(a))
		known(a);
	if (watched(b))
		known(b);
	int rc = real_rename(a, b);
	if (rc == 0 && watched(a) && watched(b)) {
		int sa = slot(cur, a, 0);
		int ino = sa >= 0 ? cur[sa].ino : -1;
		if (sa >= 0)
			cur[sa].ino = -1;
		int sb = slot(cur, b, 1);
		if (sb >= 0)
			cur[sb].ino = ino;
		/* a file renamed while open (a data file given its .open name)
		 * is read back under its new name at its next sync */
		for (int fd = 0; fd < 4096; fd++)
			if (fd_path[fd] && !strcmp(fd_path[fd], a)) {
				free(fd_path[fd]);
				fd_path[fd] = strdup(b);
			}
	}
	return rc;
}

int unlink(const char *p)
{
	init();
	if (watched(p))
		known(p);
	int rc = real_unlink(p);
	if (rc == 0 && watched(p)) {
		int s = slot(cur, p, 0);
		if (s >= 0)
			cur[s].ino = -1;
	}
	return rc;
}

int close(int fd)
{
	init();
	if (fd >= 0 && fd < 4096) {
		fd_ino[fd] = -1;
		free(fd_path[fd]);
		fd_path[fd] = NULL;
	}
	return real_close(fd);
}

/* POWERCUT_STDOUT=PATH: standard output is that file, opened by the shell
 * before exec (so never through open() here): model it from the start
 * like the files aggr opens, its content now taken as durable. */
static void model_stdout(void) __attribute__((constructor));
static void model_stdout(void)
{
	const char *so = getenv("POWERCUT_STDOUT");
	init();
	if (so && watched(so)) {
		known(so);
		track_open(so, O_WRONLY, 1);
	}
}
