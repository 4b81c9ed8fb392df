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

#define BATCHES_MAX (64u << 20)

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

/* Read the batches file and keep the entries of runs still in the log: an
 * entry whose offsets go past the log's end belongs to a run that did not
 * commit; one before the first segment, to records purged or retained away. */
int log_batches_recover(struct log *l)
{
	char *path = path_join(l->dir, "batches");
	struct buf in, keep;
	int rc = 0, dropped = 0;

	buf_init(&in);
	buf_init(&keep);
	if (read_file(path, &in, BATCHES_MAX) < 0) {
		if (errno != ENOENT)
			rc = err_sys("cannot read %s/batches", l->name);
		goto out;
	}
	for (char *p = in.data, *end = in.data + in.len; p < end;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char id[256];
		uint64_t first, next;
		if (!nl) {
			dropped = 1;  /* torn: cannot happen with rename, but be safe */
			break;
		}
		*nl = 0;
		if (sscanf(p, "%255s %" SCNu64 " %" SCNu64, id, &first, &next) != 3 || first > next) {
			rc = err_set(EX_CORRUPT, "%s/batches: bad line: %.60s", l->name, p);
			goto out;
		}
		uint64_t start = l->nseg ? l->seg[0].base : l->next_offset;
		if (next <= l->next_offset && first >= start) {
			buf_adds(&keep, p);
			buf_addc(&keep, '\n');
		} else {
			dropped = 1;
		}
		p = nl + 1;
	}
	if (dropped && (rc = atomic_replace(l->dir, "batches", keep.data ? keep.data : "", keep.len)))
		goto out;
	buf_reset(&l->batches);
	buf_add(&l->batches, keep.data ? keep.data : "", keep.len);
out:
	buf_free(&in);
	buf_free(&keep);
	free(path);
	return rc;
}

int log_batch_seen(const struct log *l, const char *id)
{
	size_t n = strlen(id);

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

void log_set_batch(struct log *l, const char *id)
{
	l->run_batch = id;
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
