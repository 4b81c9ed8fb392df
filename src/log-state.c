/* log-state.c: the state files replaced before a run's commit point: batches and keys */
#include "log-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- batches ---- */

/*
 * The batches file keeps the newest BATCHES_KEEP lines; a line is at most
 * BATCH_LINE_MAX bytes (an ID of 200, two offsets of 20 digits, two spaces
 * and the newline), so those lines are always within the file's last
 * BATCHES_KEEP * BATCH_LINE_MAX bytes: that window is all anything reads,
 * whatever the file's size. Only a run with a batch ID reads it.
 */
#define BATCHES_KEEP 10000
#define BATCH_LINE_MAX 256

int log_batch_id_valid(const char *id)
{
	size_t n = strlen(id);

	if (n < 1 || n > 200)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (id[i] <= ' ' || id[i] > '~')
			return 0;
	return 1;
}

int log_batch_line_parse(const char *p, size_t n, uint64_t *first, uint64_t *next)
{
	const char *sp = memchr(p, ' ', n), *sp2;
	int64_t a, b;

	if (!sp || sp == p || (size_t)(sp - p) > 200 || !(sp2 = memchr(sp + 1, ' ', (size_t)(p + n - sp - 1))))
		return -1;
	for (const char *q = p; q < sp; q++)
		if (*q <= ' ' || *q > '~')
			return -1;
	if (sp[1] == '-' || sp2[1] == '-' || parse_i64(sp + 1, (size_t)(sp2 - sp - 1), &a) ||
	    parse_i64(sp2 + 1, (size_t)(p + n - sp2 - 1), &b) || a > b)
		return -1;
	*first = (uint64_t)a;
	*next = (uint64_t)b;
	return 0;
}

int log_batches_read_tail(struct log *l, struct buf *out)
{
	char *path = path_join(l->dir, "batches");
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	int rc = 0;

	free(path);
	buf_reset(out);
	if (fd < 0)
		return errno == ENOENT ? 0 : err_sys("cannot read %s/batches", l->name);
	if (fstat(fd, &st) < 0) {
		rc = err_sys("cannot read %s/batches", l->name);
		goto out;
	}
	uint64_t size = (uint64_t)st.st_size, want = (uint64_t)BATCHES_KEEP * BATCH_LINE_MAX;
	uint64_t from = size > want ? size - want : 0;
	buf_reserve(out, (size_t)(size - from));
	ssize_t got = pread_full(fd, out->data, (size_t)(size - from), (off_t)from);
	if (got < 0) {
		rc = err_sys("cannot read %s/batches", l->name);
		goto out;
	}
	out->len = (size_t)got;
	out->data[out->len] = 0;
	if (from) {
		/* the window starts inside a line, older than every line kept */
		char *nl = memchr(out->data, '\n', out->len);
		size_t skip = nl ? (size_t)(nl + 1 - out->data) : out->len;
		memmove(out->data, out->data + skip, out->len - skip);
		out->len -= skip;
		out->data[out->len] = 0;
	}
out:
	close(fd);
	return rc;
}

/*
 * The lines of the file's tail window that still count: runs that
 * committed (next at most the log's end) and whose records are still in
 * the log (first at or after its first offset), at most the newest
 * BATCHES_KEEP - 1 of them, into out. A line that does not parse is
 * EX_CORRUPT. Sets *dropped when a line went. Returns 0 or an error code.
 */
static int batches_filter(struct log *l, struct buf *out, int *dropped)
{
	struct buf in;
	int rc;

	buf_init(&in);
	buf_reset(out);
	*dropped = 0;
	if ((rc = log_batches_read_tail(l, &in)))
		goto out;
	uint64_t start = l->nseg ? l->seg[0].base : l->next_offset;
	size_t lines = 0;
	for (char *p = in.data, *end = in.data + in.len; p && p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		uint64_t first, next;
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (!nl || log_batch_line_parse(p, len, &first, &next)) {
			rc = err_set(EX_CORRUPT, "%s/batches: bad line: %.*s (aggr check --repair drops it)", l->name,
				     len > 60 ? 60 : (int)len, p);
			goto out;
		}
		if (next <= l->next_offset && first >= start) {
			buf_add(out, p, len + 1);
			lines++;
		} else {
			*dropped = 1;
		}
		p = nl + 1;
	}
	/* the oldest go first */
	if (lines > BATCHES_KEEP - 1) {
		char *p = out->data;
		for (size_t drop = lines - (BATCHES_KEEP - 1); drop; drop--)
			p = memchr(p, '\n', (size_t)(out->data + out->len - p)) + 1;
		size_t skip = (size_t)(p - out->data);
		memmove(out->data, p, out->len - skip);
		out->len -= skip;
		out->data[out->len] = 0;
		*dropped = 1;
	}
out:
	if (rc)
		buf_reset(out);
	buf_free(&in);
	return rc;
}

/*
 * At every writer's open, cheaply: lines go in offset order, so the lines
 * of runs no longer in the log (purged, retained away) are the file's
 * first ones, and only its last line can name a run that did not commit (a
 * run writes its line just before its commit point, and every writer's
 * open drops such a line before anything else commits). So read the first
 * and the last line alone: a stale first line has the file rewritten
 * without such lines (rare: after purge or retention); a stale last line
 * is cut off. Damage is left for a run with a batch ID to meet
 * (log_batches_load) and for check; so is the file's size.
 */
int log_batches_recover(struct log *l)
{
	char *path = path_join(l->dir, "batches");
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC), rc = 0, dropped;
	char tail[BATCH_LINE_MAX + 1];
	struct stat st;
	uint64_t first, next, start = l->nseg ? l->seg[0].base : l->next_offset;

	free(path);
	l->batches_loaded = 0;
	buf_reset(&l->batches);
	if (fd < 0)
		return 0;  /* absent, or unreadable: a run with a batch ID says so */
	if (fstat(fd, &st) < 0 || st.st_size < 2)
		goto out;
	size_t n = st.st_size > BATCH_LINE_MAX ? BATCH_LINE_MAX + 1 : (size_t)st.st_size;
	char *nl;
	if (pread_full(fd, tail, n, 0) == (ssize_t)n && (nl = memchr(tail, '\n', n)) &&
	    !log_batch_line_parse(tail, (size_t)(nl - tail), &first, &next) && first < start) {
		struct buf keep;
		buf_init(&keep);
		if (batches_filter(l, &keep, &dropped) == 0) {
			info_("%s: dropping the batch IDs of runs no longer stored", l->name);
			rc = atomic_replace(l->dir, "batches", keep.data ? keep.data : "", keep.len);
		} else {
			err_clear();
		}
		buf_free(&keep);
		goto out;
	}
	off_t at = st.st_size - (off_t)n;
	if (pread_full(fd, tail, n, at) != (ssize_t)n || tail[n - 1] != '\n')
		goto out;
	size_t b = n - 1;
	while (b > 0 && tail[b - 1] != '\n')
		b--;
	if ((b == 0 && at > 0) || log_batch_line_parse(tail + b, n - 1 - b, &first, &next) || next <= l->next_offset)
		goto out;
	info_("%s: dropping the batch ID of an interrupted run", l->name);
	if (ftruncate(fd, at + (off_t)b) < 0 || fdatasync(fd) < 0)
		rc = err_sys("cannot truncate %s/batches", l->name);
out:
	close(fd);
	return rc;
}

/* Read the batches file, once, for a run with a batch ID; with this run's
 * line the file stays within its bound. */
static int batches_load(struct log *l)
{
	int dropped, rc;

	if (l->batches_loaded)
		return 0;
	if ((rc = batches_filter(l, &l->batches, &dropped)))
		return rc;
	l->batches_loaded = 1;
	return 0;
}

int log_batch_seen(struct log *l, const char *id)
{
	size_t n = strlen(id);

	if (batches_load(l))
		return -1;
	for (const char *p = l->batches.data, *end = p + l->batches.len; p && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		if ((size_t)(nl - p) > n && p[n] == ' ' && !memcmp(p, id, n))
			return 1;
		p = nl + 1;
	}
	return 0;
}

int log_set_batch(struct log *l, const char *id)
{
	int rc = id ? batches_load(l) : 0;

	l->run_batch = rc ? NULL : id;
	return rc;
}


/* Replace the state file name with *cur and then add, atomically; *cur
 * becomes that, and *len0 its old length (for log_abort to put it back).
 * Returns 0 or an error code, leaving *cur as it was. */
int log_state_append(struct log *l, const char *name, struct buf *cur, const struct buf *add, size_t *len0)
{
	struct buf b;
	int rc;

	buf_init(&b);
	buf_add(&b, cur->data ? cur->data : "", cur->len);
	buf_add(&b, add->data, add->len);
	*len0 = cur->len;
	rc = atomic_replace(l->dir, name, b.data, b.len);
	if (!rc) {
		buf_reset(cur);
		buf_add(cur, b.data, b.len);
	}
	buf_free(&b);
	return rc;
}


/* ---- summary keys ---- */

#define KEYS_MAX (16u << 20)

static int key_valid(const char *p, size_t n)
{
	if (n < 1 || n > 255)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] > '~')
			return 0;
	return 1;
}

/*
 * Read the keys file; keep the lines of runs that committed and were not
 * purged: keys_from < OFFSET <= next_offset. With keep, the kept lines as
 * they are; without, only their keys, one per line. Sets *dropped when a
 * line went. Returns 0 or an error code.
 */
static int keys_load(struct log *l, int keep, struct buf *out, int *dropped)
{
	char *path = path_join(l->dir, "keys");
	struct buf in;
	int rc = 0;

	buf_init(&in);
	*dropped = 0;
	if (read_file(path, &in, KEYS_MAX) < 0) {
		if (errno != ENOENT)
			rc = err_sys("cannot read %s/keys", l->name);
		goto out;
	}
	for (char *p = in.data, *end = in.data + in.len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		int64_t off;
		if (!nl) {
			*dropped = 1;  /* torn: cannot happen with rename, but be safe */
			break;
		}
		if (!(sp = memchr(p, ' ', (size_t)(nl - p))) || !key_valid(p, (size_t)(sp - p)) || sp[1] == '-' ||
		    parse_i64(sp + 1, (size_t)(nl - sp - 1), &off)) {
			rc = err_set(EX_CORRUPT, "%s/keys: bad line: %.60s", l->name, p);
			goto out;
		}
		if ((uint64_t)off <= l->next_offset && (uint64_t)off > l->keys_from) {
			buf_add(out, p, keep ? (size_t)(nl + 1 - p) : (size_t)(sp - p));
			if (!keep)
				buf_addc(out, '\n');
		} else {
			*dropped = 1;
		}
		p = nl + 1;
	}
out:
	buf_free(&in);
	free(path);
	return rc;
}

int log_keys_recover(struct log *l)
{
	int dropped, rc;

	buf_reset(&l->keys);
	if ((rc = keys_load(l, 1, &l->keys, &dropped)))
		return rc;
	if (dropped)
		rc = atomic_replace(l->dir, "keys", l->keys.data ? l->keys.data : "", l->keys.len);
	return rc;
}

int log_keys_read(struct log *l, struct buf *out)
{
	int dropped;

	buf_reset(out);
	return keys_load(l, 0, out, &dropped);
}

int log_key_add(struct log *l, const char *key, size_t n)
{
	int added;

	if (!key_valid(key, n))
		return err_set(EX_DATA, "not a summary key: \"%.*s\"", n > 60 ? 60 : (int)n, key);
	if (!l->keys_map) {
		l->keys_map = xmalloc(sizeof(*l->keys_map));
		hmap_init(l->keys_map);
		for (const char *p = l->keys.data, *end = p + l->keys.len; p && p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *sp = memchr(p, ' ', (size_t)(nl - p));
			hmap_put(l->keys_map, p, (size_t)(sp - p), &added);
			p = nl + 1;
		}
	}
	hmap_put(l->keys_map, key, n, &added);
	if (added) {
		buf_add(&l->run_keys, key, n);
		buf_addc(&l->run_keys, '\n');
	}
	return 0;
}
