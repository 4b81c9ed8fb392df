/* log-state.c: the state files replaced before a run's commit point:
 * batches, keys and named run state (a stream's producers), as one mechanism
 *
 * Each state file is a few lines in the log's directory, and each line
 * carries the offsets of the run that wrote it. A run's lines are written
 * (atomic_replace) before its commit point, so a committed run always has
 * them; a line counts only once the log's end has reached its run's end,
 * so the lines of a run that did not commit never count. A writer's open
 * drops such lines (log_state_recover), and so does log_state_abort.
 */
#include "log-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the shared mechanism ---- */

/* What a line of a state file is: see state_load. */
enum { LINE_DAMAGED = -1, LINE_DROP = 0, LINE_KEEP = 1 };

/* One kind of state file. */
struct state_spec {
	const char *name;             /* the file in the log's directory */
	const char *form;             /* what a line looks like, for messages */
	size_t max;                   /* larger than this: cannot be read */
	int big_is_damage;            /* a larger file is damage, not I/O trouble */
	/* line: NUL-terminated (LF cut off) and n long; returns LINE_* */
	int (*line)(const struct log *l, char *line, size_t n);
};

/*
 * Read the state file of spec and pass each line to spec->line; the kept
 * lines, each with its LF, are added to out. *dropped is set when a line
 * went, or the file ended in a torn line. A missing file is empty.
 * Returns 0, EX_CORRUPT naming the file and line (never quoting it: it may
 * hold any bytes), or an I/O error code.
 */
static int state_load(const struct log *l, const struct state_spec *spec, struct buf *out, int *dropped)
{
	char *path = path_join(l->dir, spec->name);
	struct buf in;
	size_t ln = 0;
	int rc = 0;

	buf_init(&in);
	*dropped = 0;
	if (read_file(path, &in, spec->max) < 0) {
		if (errno == EFBIG && spec->big_is_damage)
			rc = err_set(EX_CORRUPT, "%s/%s: damaged: larger than %zu bytes", l->name, spec->name, spec->max);
		else if (errno != ENOENT)
			rc = err_sys("cannot read %s/%s", l->name, spec->name);
		goto out;
	}
	for (char *p = in.data, *end = in.data + in.len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		ln++;
		if (!nl) {
			*dropped = 1;  /* torn: cannot happen with rename, but be safe */
			break;
		}
		*nl = 0;
		int v = spec->line(l, p, (size_t)(nl - p));
		if (v == LINE_DAMAGED) {
			rc = err_set(EX_CORRUPT, "%s/%s: line %zu is damaged (not \"%s\")", l->name, spec->name, ln,
				     spec->form);
			goto out;
		}
		if (v == LINE_KEEP) {
			buf_add(out, p, (size_t)(nl - p));
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

/* 1..255 bytes of printable ASCII without spaces: a summary key or the
 * value of a named state. */
static int token_valid(const char *p, size_t n)
{
	if (n < 1 || n > 255)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] <= ' ' || p[i] > '~')
			return 0;
	return 1;
}

/* "... OFFSET" at the end of a line: sp is the space before it. */
static int line_offset(const char *sp, const char *end, uint64_t *off)
{
	int64_t v;

	if (sp[1] == '-' || sp[1] == '+' || parse_i64(sp + 1, (size_t)(end - sp - 1), &v))
		return -1;
	*off = (uint64_t)v;
	return 0;
}

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

int log_batches_read_tail(const struct log *l, struct buf *out)
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
static int batches_filter(const struct log *l, struct buf *out, int *dropped)
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

int log_batch_count(const struct log *l, uint64_t *n)
{
	struct buf b;
	int dropped, rc;

	*n = 0;
	buf_init(&b);
	/* the IDs log_batch_seen() would find: a writer keeps one slot free */
	if (!(rc = batches_filter(l, &b, &dropped)))
		for (const char *p = b.data, *end = b.data + b.len; p && p < end; p++)
			if ((p = memchr(p, '\n', (size_t)(end - p))))
				(*n)++;
	buf_free(&b);
	return rc;
}

int log_set_batch(struct log *l, const char *id)
{
	int rc = id ? batches_load(l) : 0;

	l->run_batch = rc ? NULL : id;
	return rc;
}

/* ---- summary keys ---- */

#define KEYS_MAX (16u << 20)

/* "KEY OFFSET": kept when the run committed and was not purged:
 * keys_from < OFFSET <= next_offset. */
static int keys_line(const struct log *l, char *p, size_t n)
{
	char *sp = memchr(p, ' ', n);
	uint64_t off;

	if (!sp || !token_valid(p, (size_t)(sp - p)) || line_offset(sp, p + n, &off))
		return LINE_DAMAGED;
	return off <= l->next_offset && off > l->keys_from ? LINE_KEEP : LINE_DROP;
}

static const struct state_spec keys_spec = {"keys", "KEY OFFSET", KEYS_MAX, 0, keys_line};

int log_keys_read(struct log *l, struct buf *out)
{
	struct buf lines;
	int dropped, rc;

	buf_reset(out);
	buf_init(&lines);
	if (!(rc = state_load(l, &keys_spec, &lines, &dropped)))
		for (const char *p = lines.data, *end = p + lines.len; p && p < end;) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *sp = memchr(p, ' ', (size_t)(nl - p));
			buf_add(out, p, (size_t)(sp - p));
			buf_addc(out, '\n');
			p = nl + 1;
		}
	buf_free(&lines);
	return rc;
}

int log_key_add(struct log *l, const char *key, size_t n)
{
	int added;

	if (!token_valid(key, n))
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

/* ---- named run state ---- */

/* "VALUE OFFSET", OFFSET the end of the run that set VALUE: it counts once
 * the log's end reached OFFSET. A bare "VALUE" was written before aggr
 * recorded offsets, by a run that set it and then committed at once unless
 * the log stayed empty: it counts while the log holds any record. */
static int named_line(const struct log *l, char *p, size_t n)
{
	char *sp = memchr(p, ' ', n);
	uint64_t off;

	if (!sp)
		return token_valid(p, n) ? (l->next_offset > 0 ? LINE_KEEP : LINE_DROP) : LINE_DAMAGED;
	if (!token_valid(p, (size_t)(sp - p)) || line_offset(sp, p + n, &off) || off == 0)
		return LINE_DAMAGED;
	return off <= l->next_offset ? LINE_KEEP : LINE_DROP;
}

/* The named states there are: recovery must know every file. */
static const struct state_spec named_specs[] = {
	{"producers", "PRODUCER OFFSET", 4096, 1, named_line},
};

static const struct state_spec *named_spec(const char *name)
{
	for (size_t i = 0; i < sizeof(named_specs) / sizeof(*named_specs); i++)
		if (!strcmp(named_specs[i].name, name))
			return &named_specs[i];
	return NULL;
}

/* The committed line of a named state (the last one that counts) into
 * line, with its LF; empty when none. *stale is set when the file holds
 * anything else. */
static int named_load(const struct log *l, const struct state_spec *spec, struct buf *line, int *stale)
{
	struct buf kept;
	int rc;

	buf_init(&kept);
	buf_reset(line);
	if (!(rc = state_load(l, spec, &kept, stale)) && kept.len) {
		const char *last = kept.data + kept.len - 1;
		while (last > kept.data && last[-1] != '\n')
			last--;
		*stale |= last != kept.data;
		buf_add(line, last, (size_t)(kept.data + kept.len - last));
	}
	buf_free(&kept);
	return rc;
}

/* Rewrite a named state as its committed line (removing the file when it
 * has none) if it holds anything else. */
static int named_recover(struct log *l, const struct state_spec *spec)
{
	struct buf line;
	int stale, rc;

	buf_init(&line);
	if (!(rc = named_load(l, spec, &line, &stale)) && stale) {
		if (line.len) {
			rc = atomic_replace(l->dir, spec->name, line.data, line.len);
		} else {
			char *path = path_join(l->dir, spec->name);
			if (unlink(path) < 0 && errno != ENOENT)
				rc = err_sys("cannot remove %s/%s", l->name, spec->name);
			else
				rc = fsync_dir(l->dir);
			free(path);
		}
	}
	buf_free(&line);
	return rc;
}

int log_state_get(struct log *l, const char *name, struct buf *out)
{
	const struct state_spec *spec = named_spec(name);
	int stale, rc;

	buf_reset(out);
	if (!spec)
		return err_set(EX_FAIL, "%s: no such state: %s", l->name, name);
	if ((rc = named_load(l, spec, out, &stale)))
		return rc;
	if (out->len) {
		char *sp = memchr(out->data, ' ', out->len);
		out->len = sp ? (size_t)(sp - out->data) : out->len - 1;
		out->data[out->len] = 0;
	}
	return 0;
}

int log_state_put(struct log *l, const char *name, const char *value, size_t n)
{
	const struct state_spec *spec = named_spec(name);
	struct buf b;
	int stale, rc;

	if (!spec)
		return err_set(EX_FAIL, "%s: no such state: %s", l->name, name);
	if (!l->writer || !l->in_run || !l->run_records)
		return err_set(EX_FAIL, "%s: %s set outside a run that holds records", l->name, name);
	if (!token_valid(value, n))
		return err_set(EX_DATA, "%s: not a value for %s", l->name, name);
	/* the committed value stays until the run commits: a run that does not
	 * leaves it in force (and a line of an earlier aborted run goes) */
	buf_init(&b);
	if (!(rc = named_load(l, spec, &b, &stale))) {
		buf_add(&b, value, n);
		buf_addf(&b, " %" PRIu64 "\n", l->next_offset + l->run_records);  /* the run's end so far */
		rc = atomic_replace(l->dir, spec->name, b.data, b.len);
	}
	buf_free(&b);
	return rc;
}

/* ---- recovery and abort ---- */

int log_state_recover(struct log *l)
{
	int dropped, rc;

	/* batches: read only by a run with a batch ID (log_set_batch) */
	if ((rc = log_batches_recover(l)))
		return rc;
	/* keys: kept in memory for log_key_add */
	buf_reset(&l->keys);
	if ((rc = state_load(l, &keys_spec, &l->keys, &dropped)) ||
	    (dropped && (rc = atomic_replace(l->dir, "keys", l->keys.data ? l->keys.data : "", l->keys.len))))
		return rc;
	for (size_t i = 0; i < sizeof(named_specs) / sizeof(*named_specs); i++)
		if ((rc = named_recover(l, &named_specs[i])))
			return rc;
	return 0;
}

int log_state_check(const struct log *l)
{
	struct buf b;
	int dropped, rc;

	buf_init(&b);
	rc = batches_filter(l, &b, &dropped);
	if (!rc)
		rc = state_load(l, &keys_spec, &b, &dropped);
	for (size_t i = 0; !rc && i < sizeof(named_specs) / sizeof(*named_specs); i++)
		rc = state_load(l, &named_specs[i], &b, &dropped);
	buf_free(&b);
	return rc;
}

void log_state_abort(struct log *l)
{
	if (l->run_wrote_batches) {
		/* put back the batches file as it was before this run */
		l->batches.len = l->batches_len0;
		atomic_replace(l->dir, "batches", l->batches.data, l->batches.len);
		l->run_wrote_batches = 0;
	}
	if (l->run_wrote_keys) {
		l->keys.len = l->keys_len0;
		atomic_replace(l->dir, "keys", l->keys.data, l->keys.len);
		l->run_wrote_keys = 0;
	}
	/* the run's end is past the log's: its named state lines go */
	for (size_t i = 0; i < sizeof(named_specs) / sizeof(*named_specs); i++)
		if (named_recover(l, &named_specs[i]))
			err_clear();
}
