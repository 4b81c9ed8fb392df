#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MANIFEST_MAX (16u << 20)

int log_config_init(struct log_config *c, const char *kind, uint32_t bloom_bytes, uint32_t bloom_k)
{
	const char *v;
	int64_t n;

	c->block_bytes = 128 * 1024;
	c->segment_bytes = 64ull << 20;
	c->level = 6;
	c->bloom_bytes = bloom_bytes;
	c->bloom_k = bloom_k;
	c->kind = kind;
	c->retention_us = 0;
	if ((v = getenv("AGGR_BLOCK_BYTES")) && *v) {
		if (parse_i64(v, strlen(v), &n) || n < 64 || n > (int64_t)(SEG_MAX_BLOCK / 2))
			return err_set(EX_USAGE, "AGGR_BLOCK_BYTES: not a size between 64 and %u: %s",
				       SEG_MAX_BLOCK / 2, v);
		c->block_bytes = (size_t)n;
	}
	if ((v = getenv("AGGR_SEGMENT_BYTES")) && *v) {
		if (parse_i64(v, strlen(v), &n) || n < 1)
			return err_set(EX_USAGE, "AGGR_SEGMENT_BYTES: not a positive size: %s", v);
		c->segment_bytes = (uint64_t)n;
	}
	if ((v = getenv("AGGR_LEVEL")) && *v) {
		if (parse_i64(v, strlen(v), &n) || n < 1 || n > 9)
			return err_set(EX_USAGE, "AGGR_LEVEL: not a deflate level 1-9: %s", v);
		c->level = (int)n;
	}
	return 0;
}

static int name_part_valid(const char *s, size_t n)
{
	if (n < 1 || n > 128 || s[0] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

int log_name_valid(const char *name)
{
	static const char *fixed[] = {"flows", "counters", "events", "sessions"};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(*fixed); i++)
		if (!strcmp(name, fixed[i]))
			return 1;
	if (!strncmp(name, "streams/", 8))
		return name_part_valid(name + 8, strlen(name + 8));
	return 0;
}

const char *log_name_kind(const char *name)
{
	return strncmp(name, "streams/", 8) ? name : "stream";
}

char *log_data_dir(const char *opt_dir)
{
	const char *v;

	if (opt_dir && *opt_dir)
		return xstrdup(opt_dir);
	if ((v = getenv("AGGR_DIR")) && *v)
		return xstrdup(v);
	if ((v = getenv("XDG_DATA_HOME")) && *v)
		return path_join(v, "aggr");
	if ((v = getenv("HOME")) && *v)
		return path_join(v, ".local/share/aggr");
	err_set(EX_USAGE, "no data directory: use -d DIR or set AGGR_DIR or HOME");
	return NULL;
}

/* BASE.jsonl.gz, or BASE-GEN.jsonl.gz once compaction has rewritten it */
static void seg_name(char *out, size_t n, const char *dir, uint64_t base, uint32_t gen, int idx)
{
	const char *ext = idx ? ".idx" : ".jsonl.gz";
	if (gen)
		snprintf(out, n, "%s/%020" PRIu64 "-%" PRIu32 "%s", dir, base, gen, ext);
	else
		snprintf(out, n, "%s/%020" PRIu64 "%s", dir, base, ext);
}

const char *log_seg_file(const struct log *l, const struct log_seg *s, int idx)
{
	static char path[PATH_MAX];
	seg_name(path, sizeof(path), l->name, s->base, s->gen, idx);
	return path;
}

static void seg_path(const struct log *l, const struct log_seg *s, int idx, char *out, size_t n)
{
	seg_name(out, n, l->dir, s->base, s->gen, idx);
}

static struct log *log_new(const char *data_dir, const char *name)
{
	struct log *l = xcalloc(1, sizeof(*l));

	l->dir = path_join(data_dir, name);
	l->name = xstrdup(name);
	l->lock_fd = -1;
	/* what a log of this name holds until a MANIFEST says otherwise */
	snprintf(l->kind, sizeof(l->kind), "%s", log_name_kind(name));
	buf_init(&l->block);
	buf_init(&l->zbuf);
	buf_init(&l->batches);
	buf_init(&l->keys);
	buf_init(&l->run_keys);
	l->expire_before = INT64_MIN;
	return l;
}

static void pipe_start(struct log *l);
static void pipe_stop(struct log *l);
static int rb_threads(void);

static void seg_close(struct log_seg *s)
{
	if (s->data_fd >= 0)
		close(s->data_fd);
	if (s->idx_fd >= 0)
		close(s->idx_fd);
	free(s->idx_raw);
	free(s->ent);
	memset(s, 0, sizeof(*s));
	s->data_fd = s->idx_fd = -1;
}

void log_close(struct log *l)
{
	if (!l)
		return;
	if (l->in_run)
		log_abort(l);
	pipe_stop(l);
	if (l->created_manifest && !l->committed) {
		/* a log this writer created but never stored anything in */
		char *m = path_join(l->dir, "MANIFEST");
		unlink(m);
		free(m);
		fsync_dir(l->dir);
	}
	for (size_t i = 0; i < l->nseg; i++)
		seg_close(&l->seg[i]);
	free(l->seg);
	if (l->lock_fd >= 0)
		close(l->lock_fd);  /* releases the flock */
	seg_writer_free(&l->zw);
	buf_free(&l->block);
	buf_free(&l->zbuf);
	buf_free(&l->batches);
	buf_free(&l->keys);
	buf_free(&l->run_keys);
	if (l->keys_map) {
		hmap_free(l->keys_map);
		free(l->keys_map);
	}
	free(l->cur_bloom);
	free(l->pend_bloom);
	free(l->dir);
	free(l->name);
	free(l);
}

/* ---- MANIFEST ---- */

static int manifest_parse(struct log *l, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	const char *crc_line = NULL;
	int lineno = 0;

	/* the last line is "crc XXXXXXXX" over every byte before it */
	for (const char *q = text; q < end;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		if (!nl)
			break;
		if (nl + 1 == end)
			crc_line = q;
		q = nl + 1;
	}
	if (!crc_line || strncmp(crc_line, "crc ", 4))
		return err_set(EX_CORRUPT, "%s/MANIFEST: no crc line", l->name);
	unsigned long want = strtoul(crc_line + 4, NULL, 16);
	if (crc32_of(text, (size_t)(crc_line - text)) != (uint32_t)want)
		return err_set(EX_CORRUPT, "%s/MANIFEST: crc mismatch", l->name);
	end = crc_line;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char line[512];
		size_t n = (size_t)(nl - p);
		lineno++;
		if (n >= sizeof(line))
			return err_set(EX_CORRUPT, "%s/MANIFEST: line %d too long", l->name, lineno);
		memcpy(line, p, n);
		line[n] = 0;
		p = nl + 1;
		if (lineno == 1) {
			if (strcmp(line, "aggr-manifest 1"))
				return err_set(EX_CORRUPT, "%s/MANIFEST: unknown version", l->name);
			continue;
		}
		if (!strncmp(line, "next_offset ", 12)) {
			int64_t v;
			if (line[12] == '-' || parse_i64(line + 12, strlen(line + 12), &v))
				return err_set(EX_CORRUPT, "%s/MANIFEST: line %d: bad next_offset", l->name, lineno);
			l->manifest_next = (uint64_t)v;
			continue;
		}
		if (!strncmp(line, "retention_us ", 13) || !strncmp(line, "keys_from ", 10)) {
			int r = line[0] == 'r';
			const char *val = line + (r ? 13 : 10);
			int64_t num;
			if (*val == '-' || parse_i64(val, strlen(val), &num))
				return err_set(EX_CORRUPT, "%s/MANIFEST: line %d: bad %s", l->name, lineno,
					       r ? "retention_us" : "keys_from");
			if (r)
				l->retention_us = num;
			else
				l->keys_from = (uint64_t)num;
			continue;
		}
		if (!strncmp(line, "kind ", 5)) {
			size_t kn = strlen(line + 5);
			if (kn >= sizeof(l->kind))
				return err_set(EX_CORRUPT, "%s/MANIFEST: line %d: kind too long", l->name, lineno);
			memcpy(l->kind, line + 5, kn + 1);
			continue;
		}
		struct log_seg s;
		char state[16];
		memset(&s, 0, sizeof(s));
		s.data_fd = s.idx_fd = -1;
		int k = sscanf(line, "segment %" SCNu64 " %15s records %" SCNu64 " blocks %" SCNu64
			       " bytes %" SCNu64 " min_key %" SCNd64 " max_key %" SCNd64
			       " min_ingest %" SCNd64 " max_ingest %" SCNd64,
			       &s.base, state, &s.sum.records, &s.sum.blocks, &s.sum.bytes, &s.sum.min_key,
			       &s.sum.max_key, &s.sum.min_ingest, &s.sum.max_ingest);
		/* sscanf's %u takes "-1" as a huge number: counts have no sign */
		if (line[8] < '0' || line[8] > '9' || strstr(line, "records -") || strstr(line, "blocks -") ||
		    strstr(line, "bytes -"))
			return err_set(EX_CORRUPT, "%s/MANIFEST: line %d: bad segment line", l->name, lineno);
		/* a segment compaction rewrote ends with " gen N" */
		const char *g = strstr(line, " gen ");
		if (g) {
			int64_t v;
			if (parse_i64(g + 5, strlen(g + 5), &v) || v < 1 || v > UINT32_MAX)
				return err_set(EX_CORRUPT, "%s/MANIFEST: line %d: bad gen", l->name, lineno);
			s.gen = (uint32_t)v;
		}
		if (k == 9 && !strcmp(state, "sealed"))
			s.sealed = 1;
		else if (!(k == 2 && !strcmp(state, "active")))
			return err_set(EX_CORRUPT, "%s/MANIFEST: line %d: bad segment line", l->name, lineno);
		if (l->nseg && s.base <= l->seg[l->nseg - 1].base)
			return err_set(EX_CORRUPT, "%s/MANIFEST: line %d: segments out of order", l->name, lineno);
		l->seg = xrealloc(l->seg, sizeof(*l->seg) * (l->nseg + 1));
		l->seg[l->nseg++] = s;
	}
	if (lineno < 2 || !l->kind[0])
		return err_set(EX_CORRUPT, "%s/MANIFEST: incomplete", l->name);
	for (size_t i = 0; i + 1 < l->nseg; i++)
		if (!l->seg[i].sealed)
			return err_set(EX_CORRUPT, "%s/MANIFEST: active segment before the last", l->name);
	return 0;
}

static int manifest_read(struct log *l)
{
	char *path = path_join(l->dir, "MANIFEST");
	struct buf b;
	int rc = 0;

	buf_init(&b);
	l->manifest_next = 0;
	if (read_file(path, &b, MANIFEST_MAX) < 0) {
		if (errno == ENOENT)
			l->have_manifest = 0;
		else
			rc = err_sys("cannot read %s/MANIFEST", l->name);
	} else {
		l->have_manifest = 1;
		rc = manifest_parse(l, b.data, b.len);
	}
	buf_free(&b);
	free(path);
	return rc;
}

static void summarize(struct log_seg *s)
{
	struct seg_summary *m = &s->sum;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i < s->nent; i++) {
		const struct block_meta *b = &s->ent[i].m;
		if (!m->blocks || b->min_key < m->min_key) m->min_key = b->min_key;
		if (!m->blocks || b->max_key > m->max_key) m->max_key = b->max_key;
		if (!m->blocks || b->ingest_us < m->min_ingest) m->min_ingest = b->ingest_us;
		if (!m->blocks || b->ingest_us > m->max_ingest) m->max_ingest = b->ingest_us;
		m->records += b->count;
		m->blocks++;
	}
	m->bytes = s->data_end;
}

static int manifest_write(struct log *l)
{
	struct buf b;
	int rc;

	buf_init(&b);
	buf_addf(&b, "aggr-manifest 1\nkind %s\nnext_offset %" PRIu64 "\n", l->kind, l->next_offset);
	if (l->retention_us)
		buf_addf(&b, "retention_us %" PRId64 "\n", l->retention_us);
	if (l->keys_from)
		buf_addf(&b, "keys_from %" PRIu64 "\n", l->keys_from);
	for (size_t i = 0; i < l->nseg; i++) {
		struct log_seg *s = &l->seg[i];
		if (s->sealed)
			buf_addf(&b, "segment %020" PRIu64 " sealed records %" PRIu64 " blocks %" PRIu64
				 " bytes %" PRIu64 " min_key %" PRId64 " max_key %" PRId64
				 " min_ingest %" PRId64 " max_ingest %" PRId64 "\n",
				 s->base, s->sum.records, s->sum.blocks, s->sum.bytes, s->sum.min_key,
				 s->sum.max_key, s->sum.min_ingest, s->sum.max_ingest);
		else
			buf_addf(&b, "segment %020" PRIu64 " active\n", s->base);
		if (s->gen) {
			b.len--;  /* the gen goes on the segment's line */
			buf_addf(&b, " gen %" PRIu32 "\n", s->gen);
		}
	}
	buf_addf(&b, "crc %08" PRIx32 "\n", crc32_of(b.data, b.len));
	rc = atomic_replace_ex(l->dir, "MANIFEST", b.data, b.len, &l->manifest_renamed);
	if (rc == 0)
		l->have_manifest = 1;
	buf_free(&b);
	return rc;
}

/* ---- reading a segment's index ---- */

/*
 * Read s's index: header, then entries until the first bad CRC or
 * inconsistency; keep those up to the last COMMIT entry.
 * Returns 0 or EX_CORRUPT/EX_FAIL.
 */
static int seg_load_index(struct log *l, struct log_seg *s)
{
	struct stat st;
	unsigned char hdr[IDX_HDR_LEN];

	if (fstat(s->idx_fd, &st) < 0 || fstat(s->data_fd, &st) < 0)
		return err_sys("cannot stat %s", log_seg_file(l, s, 1));
	s->data_size = (uint64_t)st.st_size;
	if (fstat(s->idx_fd, &st) < 0)
		return err_sys("cannot stat %s", log_seg_file(l, s, 1));
	s->idx_size = (uint64_t)st.st_size;
	if (pread_full(s->idx_fd, hdr, IDX_HDR_LEN, 0) != IDX_HDR_LEN || idx_header_decode(hdr, &s->ih))
		return err_set(EX_CORRUPT, "%s: offset 0: bad index header", log_seg_file(l, s, 1));
	if (s->ih.base_offset != s->base)
		return err_set(EX_CORRUPT, "%s: offset 0: index is for segment %" PRIu64,
			       log_seg_file(l, s, 1), s->ih.base_offset);
	size_t es = s->ih.entry_size;
	size_t n = (size_t)((s->idx_size - IDX_HDR_LEN) / es);
	unsigned char *raw = xmalloc(n * es + 1);
	ssize_t got = pread_full(s->idx_fd, raw, n * es, IDX_HDR_LEN);
	if (got < 0) {
		free(raw);
		return err_sys("cannot read %s", log_seg_file(l, s, 1));
	}
	n = (size_t)got / es;
	struct idx_entry *ent = xmalloc(sizeof(*ent) * (n + 1));
	size_t good = 0, committed = 0;
	uint64_t pos = 0, off = s->base;
	for (size_t i = 0; i < n; i++) {
		struct idx_entry *e = &ent[i];
		/* offsets run on without gaps, except where compaction removed records */
		if (idx_entry_decode(raw + i * es, &s->ih, e) || e->pos != pos ||
		    (s->gen ? e->m.first_offset < off : e->m.first_offset != off))
			break;
		pos += e->m.block_len;
		off += e->m.count;
		good = i + 1;
		if (e->m.flags & IDX_COMMIT)
			committed = good;
	}
	s->idx_raw = raw;
	s->ent = ent;
	s->nent = committed;
	s->torn_entries = (s->idx_size - IDX_HDR_LEN) / es - committed;
	s->idx_end = IDX_HDR_LEN + committed * es;
	s->data_end = committed ? ent[committed - 1].pos + ent[committed - 1].m.block_len : 0;
	if (s->data_end > s->data_size)
		return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": segment shorter than its index says",
			       log_seg_file(l, s, 0), s->data_size);
	if (!s->sealed)
		summarize(s);
	return 0;
}

static char missing_file[PATH_MAX];  /* the file seg_open_files() did not find */

static int seg_open_files(struct log *l, struct log_seg *s, int writable)
{
	char path[PATH_MAX];
	int flags = (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC;

	for (int idx = 0; idx < 2; idx++) {
		int *fd = idx ? &s->idx_fd : &s->data_fd;
		seg_path(l, s, idx, path, sizeof(path));
		*fd = open(path, flags);
		if (*fd >= 0)
			continue;
		if (errno != ENOENT)
			return err_sys("cannot open %s", log_seg_file(l, s, idx));
		snprintf(missing_file, sizeof(missing_file), "%s", log_seg_file(l, s, idx));
		return -ENOENT;
	}
	return 0;
}

static void log_reset_segs(struct log *l)
{
	for (size_t i = 0; i < l->nseg; i++)
		seg_close(&l->seg[i]);
	free(l->seg);
	l->seg = NULL;
	l->nseg = 0;
}

static void set_next_offset(struct log *l)
{
	/* offsets never go back, not even after purge or retention */
	l->next_offset = l->manifest_next;
	if (l->nseg) {
		struct log_seg *s = &l->seg[l->nseg - 1];
		uint64_t n = s->nent ? s->ent[s->nent - 1].m.first_offset + s->ent[s->nent - 1].m.count : s->base;
		if (n > l->next_offset)
			l->next_offset = n;
	}
}

/* Load MANIFEST and every listed segment's committed index. A segment
 * deleted under us (retention, compaction) means a newer MANIFEST: retry. */
static int log_load(struct log *l, int writable)
{
	for (int attempt = 0;; attempt++) {
		int rc = manifest_read(l), missing = 0;
		if (rc)
			return rc;
		for (size_t i = 0; i < l->nseg && !rc; i++) {
			l->seg[i].data_fd = l->seg[i].idx_fd = -1;
			rc = seg_open_files(l, &l->seg[i], writable);
			if (rc == -ENOENT) {
				missing = 1;
				rc = 0;
				break;
			}
			if (!rc)
				rc = seg_load_index(l, &l->seg[i]);
		}
		if (rc)
			return rc;
		if (!missing) {
			set_next_offset(l);
			return 0;
		}
		if (writable || attempt == 5)
			return err_set(EX_CORRUPT, "%s: missing, but listed in the MANIFEST "
				       "(aggr check --repair rebuilds a lost index)", missing_file);
		log_reset_segs(l);
	}
}

int log_open_read(const char *data_dir, const char *name, struct log **out)
{
	struct log *l = log_new(data_dir, name);
	struct stat st;
	int rc = 0;

	if (lstat(l->dir, &st) == 0 && S_ISLNK(st.st_mode))
		rc = err_set(EX_PERM, "%s: refusing a symlinked log directory", name);
	if (!rc)
		rc = log_load(l, 0);
	if (!rc && l->retention_us > 0) {
		int64_t now;
		if (!(rc = now_us(&now)))
			l->expire_before = now - l->retention_us;
	}
	if (rc) {
		log_close(l);
		return rc;
	}
	*out = l;
	return 0;
}

/* ---- writers: directories, lock, recovery ---- */

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof(tmp))
		return err_set(EX_USAGE, "path too long: %s", path);
	memcpy(tmp, path, n + 1);
	for (size_t i = 1; i <= n; i++) {
		if (tmp[i] != '/' && tmp[i] != 0)
			continue;
		char c = tmp[i];
		tmp[i] = 0;
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return err_sys("cannot create directory %s", tmp);
		tmp[i] = c;
	}
	return 0;
}

static int take_lock(struct log *l, double wait_secs)
{
	char *path = path_join(l->dir, "LOCK");
	double deadline = mono_seconds() + wait_secs;

	l->lock_fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	free(path);
	if (l->lock_fd < 0)
		return err_sys("cannot open %s/LOCK", l->name);
	for (;;) {
		if (flock(l->lock_fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return err_sys("cannot lock %s", l->name);
		if (mono_seconds() >= deadline)
			return err_set(EX_CONFLICT, "%s is locked by another writer%s", l->name,
				       wait_secs > 0 ? " (gave up waiting)" : "");
		struct timespec ts = {0, 20 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}

/* Is n a segment file name, BASE[-GEN](.jsonl.gz|.idx)? Returns 1 and sets
 * *base, *gen and *idx, or 0. */
static int is_seg_name(const char *n, uint64_t *base, uint32_t *gen, int *idx)
{
	const char *p = n + 20;

	for (int i = 0; i < 20; i++)
		if (n[i] < '0' || n[i] > '9')
			return 0;
	*gen = 0;
	if (*p == '-') {
		uint64_t g = 0;
		for (p++; *p >= '0' && *p <= '9' && g <= UINT32_MAX; p++)
			g = g * 10 + (uint64_t)(*p - '0');
		if (p == n + 21 || g == 0 || g > UINT32_MAX)
			return 0;
		*gen = (uint32_t)g;
	}
	if (!strcmp(p, ".jsonl.gz"))
		*idx = 0;
	else if (!strcmp(p, ".idx"))
		*idx = 1;
	else
		return 0;
	*base = strtoull(n, NULL, 10);
	return 1;
}

/* Delete temporary files and segment files the MANIFEST does not list. */
static int remove_orphans(struct log *l, int report)
{
	DIR *d = opendir(l->dir);
	struct dirent *de;
	int removed = 0;

	if (!d)
		return err_sys("cannot read directory %s", l->name);
	while ((de = readdir(d))) {
		uint64_t base;
		uint32_t gen;
		int idx, listed = 0;
		size_t n = strlen(de->d_name);
		int tmp = n > 4 && !strcmp(de->d_name + n - 4, ".tmp");
		if (!tmp && !is_seg_name(de->d_name, &base, &gen, &idx))
			continue;
		if (!tmp)
			for (size_t i = 0; i < l->nseg; i++)
				listed |= l->seg[i].base == base && l->seg[i].gen == gen;
		if (listed)
			continue;
		char *p = path_join(l->dir, de->d_name);
		if (!l->have_manifest && !tmp) {
			/* segments without any MANIFEST: only a crash while the log
			 * was being created leaves them, and then they are empty */
			struct stat st;
			if (lstat(p, &st) == 0 && st.st_size > (idx ? IDX_HDR_LEN : 0)) {
				free(p);
				closedir(d);
				return err_set(EX_CORRUPT, "%s: MANIFEST is missing but segment %s holds data; "
					       "run 'aggr check --repair %s'", l->name, de->d_name, l->name);
			}
		}
		if (unlink(p) < 0 && errno != ENOENT) {
			int rc = err_sys("cannot remove %s/%s", l->name, de->d_name);
			free(p);
			closedir(d);
			return rc;
		}
		if (report)
			info_("%s: removed leftover %s", l->name, de->d_name);
		free(p);
		removed++;
	}
	closedir(d);
	return removed ? fsync_dir(l->dir) : 0;
}

/* Drop the uncommitted tail of the last segment and verify its last block. */
static int recover_tail(struct log *l)
{
	struct log_seg *s;
	int rc = 0;

	if (!l->nseg || l->seg[l->nseg - 1].sealed)
		return 0;
	s = &l->seg[l->nseg - 1];
	if (s->nent) {
		struct seg_reader r;
		struct buf blk, raw;
		seg_reader_init(&r);
		buf_init(&blk);
		buf_init(&raw);
		rc = log_read_block(l, s, &s->ent[s->nent - 1], &r, &blk, &raw);
		seg_reader_free(&r);
		buf_free(&blk);
		buf_free(&raw);
		if (rc)
			return rc;
	}
	if (s->idx_size != s->idx_end || s->data_size != s->data_end) {
		info_("%s: dropping %" PRIu64 " bytes of an interrupted run", l->name,
		      s->data_size - s->data_end + s->idx_size - s->idx_end);
		if (ftruncate(s->idx_fd, (off_t)s->idx_end) < 0 || ftruncate(s->data_fd, (off_t)s->data_end) < 0)
			return err_sys("cannot truncate %s", log_seg_file(l, s, 0));
		if (fdatasync(s->idx_fd) < 0 || fdatasync(s->data_fd) < 0)
			return err_sys("cannot sync %s", log_seg_file(l, s, 0));
		s->idx_size = s->idx_end;
		s->data_size = s->data_end;
	}
	return 0;
}

static int batches_recover(struct log *l);
static int keys_recover(struct log *l);

int log_open_write(const char *data_dir, const char *name, const struct log_config *cfg,
		   double wait_secs, struct log **out)
{
	struct log *l = log_new(data_dir, name);
	struct stat st;
	int rc;

	l->writer = 1;
	l->cfg = *cfg;
	rc = mkdir_p(l->dir);
	if (!rc && (lstat(l->dir, &st) < 0 || !S_ISDIR(st.st_mode)))
		rc = err_set(EX_PERM, "%s: not a directory (symlinks are refused)", name);
	if (!rc)
		rc = take_lock(l, wait_secs);
	if (!rc)
		rc = log_load(l, 1);
	if (!rc && l->have_manifest && strcmp(l->kind, cfg->kind))
		rc = err_set(EX_USAGE, "%s holds %s records, not %s", name, l->kind, cfg->kind);
	if (!rc)
		rc = remove_orphans(l, 1);
	if (!rc)
		rc = recover_tail(l);
	if (!rc)
		rc = batches_recover(l);
	if (!rc)
		rc = keys_recover(l);
	if (!rc && !l->have_manifest) {
		snprintf(l->kind, sizeof(l->kind), "%s", cfg->kind);
		l->retention_us = cfg->retention_us;
		if (!(rc = manifest_write(l)))
			l->created_manifest = 1;
	}
	if (rc) {
		log_close(l);
		return rc;
	}
	snprintf(l->kind, sizeof(l->kind), "%s", cfg->kind);
	seg_writer_init(&l->zw, cfg->level);
	l->cur_bloom = xcalloc(1, IDX_MAX_BLOOM);
	l->pend_bloom = xcalloc(1, IDX_MAX_BLOOM);
	pipe_start(l);
	*out = l;
	return 0;
}

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
static int batches_recover(struct log *l)
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

/* ---- writing ---- */

/* Create the empty files of segment (base, gen): data file and an index
 * holding only its header, both synced, the directory not yet. Fills *s.
 * Returns 0, or an error code with nothing left behind. */
static int seg_files_create(struct log *l, uint64_t base, uint32_t gen, uint32_t bloom_bytes,
			    uint32_t bloom_k, struct log_seg *s)
{
	char dpath[PATH_MAX], ipath[PATH_MAX];
	unsigned char hdr[IDX_HDR_LEN];
	int flags = O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC;

	memset(s, 0, sizeof(*s));
	s->data_fd = s->idx_fd = -1;
	s->base = base;
	s->gen = gen;
	s->ih.bloom_bytes = bloom_bytes;
	s->ih.bloom_k = bloom_k;
	s->ih.entry_size = IDX_ENTRY_FIXED + bloom_bytes;
	s->ih.base_offset = base;
	seg_path(l, s, 0, dpath, sizeof(dpath));
	seg_path(l, s, 1, ipath, sizeof(ipath));
	s->data_fd = open(dpath, flags, 0600);
	if (s->data_fd < 0)
		return err_sys("cannot create %s", dpath);
	s->idx_fd = open(ipath, flags, 0600);
	if (s->idx_fd < 0) {
		int rc = err_sys("cannot create %s", ipath);
		close(s->data_fd);
		s->data_fd = -1;
		unlink(dpath);
		return rc;
	}
	idx_header_encode(hdr, &s->ih);
	if (write_full(s->idx_fd, hdr, IDX_HDR_LEN) < 0 || fsync(s->idx_fd) < 0 || fsync(s->data_fd) < 0) {
		/* a full disk ends here: leave no half-made segment behind */
		int rc = err_sys("cannot write %s", ipath);
		close(s->data_fd);
		close(s->idx_fd);
		s->data_fd = s->idx_fd = -1;
		unlink(dpath);
		unlink(ipath);
		return rc;
	}
	s->idx_end = s->idx_size = IDX_HDR_LEN;
	s->ent = xmalloc(sizeof(*s->ent));
	return 0;
}

/* Create an empty segment at base (files synced, directory synced) and
 * append it to l->seg as the active segment. The caller writes the MANIFEST. */
static int seg_create(struct log *l, uint64_t base)
{
	struct log_seg s;
	int rc;

	if ((rc = seg_files_create(l, base, 0, l->cfg.bloom_bytes, l->cfg.bloom_k, &s)))
		return rc;
	l->seg = xrealloc(l->seg, sizeof(*l->seg) * (l->nseg + 1));
	l->seg[l->nseg++] = s;
	return fsync_dir(l->dir);
}

int log_begin(struct log *l, int64_t ingest_us)
{
	struct log_seg *s = l->nseg ? &l->seg[l->nseg - 1] : NULL;

	l->in_run = 1;
	l->run_created = 0;
	l->run_data0 = s ? s->data_size : 0;
	l->run_idx0 = s ? s->idx_size : 0;
	l->run_next = l->next_offset;
	l->run_records = l->run_blocks = 0;
	l->have_pend = 0;
	/* an existing active segment keeps the bloom geometry of its index */
	l->bloom_bytes = s && !s->sealed ? s->ih.bloom_bytes : l->cfg.bloom_bytes;
	l->bloom_k = s && !s->sealed ? s->ih.bloom_k : l->cfg.bloom_k;
	buf_reset(&l->block);
	memset(&l->cur, 0, sizeof(l->cur));
	l->cur.ingest_us = ingest_us;
	memset(l->cur_bloom, 0, IDX_MAX_BLOOM);
	return 0;
}

static int write_entry(struct log *l, struct log_seg *s, const struct idx_entry *e)
{
	unsigned char tmp[IDX_ENTRY_FIXED + IDX_MAX_BLOOM];

	idx_entry_encode(tmp, &s->ih, e);
	if (pwrite_full(s->idx_fd, tmp, s->ih.entry_size, (off_t)s->idx_size) < 0)
		return err_sys("cannot write %s", log_seg_file(l, s, 1));
	s->idx_size += s->ih.entry_size;
	return 0;
}

/*
 * Write a compressed block (m with its block_len set by the encoder) to
 * segment s, then the index entry of the block before it, which stays
 * pending so that the run's last entry can carry COMMIT. Runs on a
 * deflate thread when there are some, so it reports failure in msg (errno
 * in *err_no, or 0) instead of err_set. Returns 0 or an exit code.
 */
static int write_block(struct log *l, struct log_seg *s, const struct buf *zbuf, const struct block_meta *m,
		       const unsigned char *bloom, char *msg, size_t msglen, int *err_no)
{
	unsigned char tmp[IDX_ENTRY_FIXED + IDX_MAX_BLOOM];
	const char *what = NULL;

	*err_no = 0;
	if (pwrite_full(s->data_fd, zbuf->data, zbuf->len, (off_t)s->data_size) < 0)
		what = "write";
	if (!what && l->have_pend) {
		idx_entry_encode(tmp, &s->ih, &l->pend);
		if (pwrite_full(s->idx_fd, tmp, s->ih.entry_size, (off_t)s->idx_size) < 0)
			what = "write the index of";
		else
			s->idx_size += s->ih.entry_size;
	}
	if (what) {
		*err_no = errno;
		snprintf(msg, msglen, "cannot %s %s", what, log_seg_file(l, s, 0));
		return errno == EACCES || errno == EPERM ? EX_PERM : EX_FAIL;
	}
	l->pend.pos = s->data_size;
	l->pend.m = *m;
	memcpy(l->pend_bloom, bloom, l->bloom_bytes);
	l->pend.bloom = l->pend_bloom;
	l->have_pend = 1;
	s->data_size += zbuf->len;
	return 0;
}

/*
 * The deflate threads of a writer: while the caller parses and validates
 * the next block, they compress the last ones, several at once (blocks are
 * independent gzip members), and write them in order: the thread holding
 * the block after the last one written writes next. Everything they touch
 * (the segment's sizes and files, the pending entry) the caller leaves
 * alone until pipe_drain() returns. Memory: one block per thread, plus one.
 */
#define PIPE_MAX_THREADS 8

struct pipe_job {
	struct buf raw;
	struct block_meta m;
	unsigned char *bloom;
	struct log_seg *s;
	uint64_t seq;
	int state;                   /* JOB_FREE, JOB_QUEUED, JOB_TAKEN */
};
enum { JOB_FREE, JOB_QUEUED, JOB_TAKEN };

struct log_pipe {
	pthread_t tid[PIPE_MAX_THREADS];
	int nthreads;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct log *l;
	struct pipe_job *job;
	size_t njob;
	uint64_t next_seq;           /* the next block handed over */
	uint64_t next_take;          /* the next block a thread takes */
	uint64_t next_write;         /* the next block to write */
	int quit;
	int rc, err_no;              /* the first failure; later blocks are dropped */
	char msg[PATH_MAX + 64];
};

static void *pipe_main(void *arg)
{
	struct log_pipe *p = arg;
	struct seg_writer zw;
	struct buf zbuf;
	char msg[sizeof(p->msg)];

	seg_writer_init(&zw, p->l->cfg.level);
	buf_init(&zbuf);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->next_take == p->next_seq && !p->quit)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->next_take == p->next_seq)
			break;
		struct pipe_job *j = &p->job[p->next_take % p->njob];
		uint64_t seq = p->next_take++;
		j->state = JOB_TAKEN;
		pthread_mutex_unlock(&p->mu);
		/* compress outside the lock, alongside the other threads */
		const char *why = seg_block_encode_quiet(&zw, j->raw.data, &j->m, (buf_reset(&zbuf), &zbuf));
		pthread_mutex_lock(&p->mu);
		while (p->next_write != seq)
			pthread_cond_wait(&p->cv, &p->mu);
		int skip = p->rc != 0;
		pthread_mutex_unlock(&p->mu);
		/* our turn: only this thread touches the files now */
		int err_no = 0, rc = 0;
		if (why) {
			snprintf(msg, sizeof(msg), "%s", why);
			rc = EX_FAIL;
		} else if (!skip) {
			rc = write_block(p->l, j->s, &zbuf, &j->m, j->bloom, msg, sizeof(msg), &err_no);
		}
		pthread_mutex_lock(&p->mu);
		if (rc && !skip && !p->rc) {
			p->rc = rc;
			p->err_no = err_no;
			memcpy(p->msg, msg, sizeof(msg));
		}
		j->state = JOB_FREE;
		p->next_write++;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	seg_writer_free(&zw);
	buf_free(&zbuf);
	return NULL;
}

static void pipe_free(struct log_pipe *p)
{
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	for (size_t i = 0; i < p->njob; i++) {
		buf_free(&p->job[i].raw);
		free(p->job[i].bloom);
	}
	free(p->job);
	free(p);
}

/* Start the deflate threads: AGGR_THREADS of them, else one per CPU online;
 * none when that is 1 (or none start): blocks are then written on the
 * caller's thread. */
static void pipe_start(struct log *l)
{
	int n = rb_threads();
	struct log_pipe *p;

	if (n <= 1)
		return;
	p = xcalloc(1, sizeof(*p));
	p->l = l;
	p->njob = (size_t)n + 1;
	p->job = xcalloc(p->njob, sizeof(*p->job));
	for (size_t i = 0; i < p->njob; i++) {
		buf_init(&p->job[i].raw);
		p->job[i].bloom = xcalloc(1, IDX_MAX_BLOOM);
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (int t = 0; t < n && t < PIPE_MAX_THREADS; t++)
		if (pthread_create(&p->tid[p->nthreads], NULL, pipe_main, p) == 0)
			p->nthreads++;
	if (!p->nthreads) {
		pipe_free(p);
		return;
	}
	l->pipe = p;
}

/* Wait until the deflate threads wrote every block handed to them. Returns
 * 0, or their first failure (err_set), after which the run must be aborted. */
static int pipe_drain(struct log *l)
{
	struct log_pipe *p = l->pipe;
	int rc;

	if (!p)
		return 0;
	pthread_mutex_lock(&p->mu);
	while (p->next_write != p->next_seq)
		pthread_cond_wait(&p->cv, &p->mu);
	rc = p->rc;
	if (rc) {
		if (p->err_no)
			err_set(rc, "%s: %s", p->msg, strerror(p->err_no));
		else
			err_set(rc, "%s", p->msg);
		p->rc = 0;
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

static void pipe_stop(struct log *l)
{
	struct log_pipe *p = l->pipe;

	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	for (int t = 0; t < p->nthreads; t++)
		pthread_join(p->tid[t], NULL);
	pipe_free(p);
	l->pipe = NULL;
}

/* Hand the current block to the deflate threads, waiting for a free slot.
 * Returns 0, or an earlier block's failure (the run must be aborted). */
static int pipe_submit(struct log *l, struct log_seg *s)
{
	struct log_pipe *p = l->pipe;
	struct pipe_job *j;
	int rc;

	pthread_mutex_lock(&p->mu);
	j = &p->job[p->next_seq % p->njob];
	while (j->state != JOB_FREE)
		pthread_cond_wait(&p->cv, &p->mu);
	rc = p->rc;
	if (!rc) {
		struct buf t = j->raw;
		j->raw = l->block;
		l->block = t;
		j->m = l->cur;
		j->s = s;
		memcpy(j->bloom, l->cur_bloom, l->bloom_bytes);
		j->state = JOB_QUEUED;
		j->seq = p->next_seq++;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return rc ? pipe_drain(l) : 0;
}

static int flush_block(struct log *l)
{
	struct log_seg *s;
	int rc;

	if (!l->block.len)
		return 0;
	if (!l->nseg || l->seg[l->nseg - 1].sealed) {
		/* a segment appears with its first block, so none is ever empty;
		 * the MANIFEST lists it only when the run commits. Nothing is in
		 * flight here: a run's first block starts it. */
		if ((rc = pipe_drain(l)) || (rc = seg_create(l, l->run_next)))
			return rc;
		l->run_created = 1;
		l->run_idx0 = IDX_HDR_LEN;
		l->run_data0 = 0;
	}
	s = &l->seg[l->nseg - 1];
	l->cur.raw_len = (uint32_t)l->block.len;
	l->cur.first_offset = l->run_next;
	l->cur.flags = 0;
	if (l->pipe) {
		rc = pipe_submit(l, s);
	} else {
		char msg[PATH_MAX + 64];
		int err_no;
		buf_reset(&l->zbuf);
		if ((rc = seg_block_encode(&l->zw, l->block.data, &l->cur, &l->zbuf)))
			return rc;
		rc = write_block(l, s, &l->zbuf, &l->cur, l->cur_bloom, msg, sizeof(msg), &err_no);
		if (rc)
			return err_no ? err_set(rc, "%s: %s", msg, strerror(err_no)) : err_set(rc, "%s", msg);
	}
	memset(l->cur_bloom, 0, l->bloom_bytes);
	l->run_next += l->cur.count;
	l->run_blocks++;
	int64_t ingest = l->cur.ingest_us;
	memset(&l->cur, 0, sizeof(l->cur));
	l->cur.ingest_us = ingest;
	buf_reset(&l->block);
	return rc;
}

int log_append(struct log *l, const char *line, size_t n, int64_t key,
	       const struct log_bloom_key *bk, size_t nbk)
{
	int rc;

	if (n + 1 > SEG_MAX_BLOCK)
		return err_set(EX_DATA, "record too large: %zu bytes", n);
	if (l->block.len && l->block.len + n + 1 > l->cfg.block_bytes && (rc = flush_block(l)))
		return rc;
	buf_reserve(&l->block, n + 1);
	memcpy(l->block.data + l->block.len, line, n);
	l->block.data[l->block.len + n] = '\n';
	l->block.len += n + 1;
	if (!l->cur.count || key < l->cur.min_key)
		l->cur.min_key = key;
	if (!l->cur.count || key > l->cur.max_key)
		l->cur.max_key = key;
	l->cur.count++;
	for (size_t i = 0; i < nbk && l->bloom_bytes; i++)
		bloom_add(l->cur_bloom, l->bloom_bytes, l->bloom_k, bk[i].p, bk[i].n);
	l->run_records++;
	return 0;
}

static int roll(struct log *l)
{
	struct log_seg *s = &l->seg[l->nseg - 1];
	struct block_meta m;
	int64_t now;
	int rc;

	memset(&m, 0, sizeof(m));
	m.flags = SEG_BLOCK_SEAL;
	m.first_offset = l->next_offset;
	if ((rc = now_us(&now)))
		return rc;
	m.ingest_us = now;
	buf_reset(&l->zbuf);
	if ((rc = seg_block_encode(&l->zw, "", &m, &l->zbuf)))
		return rc;
	if (pwrite_full(s->data_fd, l->zbuf.data, l->zbuf.len, (off_t)s->data_size) < 0 ||
	    fdatasync(s->data_fd) < 0)
		return err_sys("cannot seal %s", log_seg_file(l, s, 0));
	s->data_size += l->zbuf.len;
	summarize(s);
	s->sealed = 1;
	/* the next run starts the next segment */
	if ((rc = manifest_write(l)))
		return rc;
	info_("%s: sealed segment %" PRIu64, l->name, s->base);
	return 0;
}

/* Replace the state file name with *cur and then add, atomically; *cur
 * becomes that, and *len0 its old length (for log_abort to put it back).
 * Returns 0 or an error code, leaving *cur as it was. */
static int state_append(struct log *l, const char *name, struct buf *cur, const struct buf *add, size_t *len0)
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

int log_commit(struct log *l)
{
	struct log_seg *s;
	int rc;

	if ((rc = flush_block(l)) || (rc = pipe_drain(l)))
		return rc;
	if (!l->have_pend) {
		l->in_run = 0;
		return 0;
	}
	s = &l->seg[l->nseg - 1];
	if (fdatasync(s->data_fd) < 0)
		return err_sys("cannot sync %s", log_seg_file(l, s, 0));
	if (l->run_batch) {
		/* before the commit point: recovery drops it if the run fails */
		struct buf add;
		buf_init(&add);
		buf_addf(&add, "%s %" PRIu64 " %" PRIu64 "\n", l->run_batch, l->run_next - l->run_records,
			 l->run_next);
		l->run_wrote_batches = 1;
		rc = state_append(l, "batches", &l->batches, &add, &l->batches_len0);
		buf_free(&add);
		if (rc)
			return rc;
	}
	if (l->run_keys.len) {
		/* before the commit point too, and dropped the same way */
		struct buf add;
		buf_init(&add);
		for (const char *p = l->run_keys.data, *e = p + l->run_keys.len; p < e;) {
			const char *nl = memchr(p, '\n', (size_t)(e - p));
			buf_add(&add, p, (size_t)(nl - p));
			buf_addf(&add, " %" PRIu64 "\n", l->run_next);
			p = nl + 1;
		}
		l->run_wrote_keys = 1;
		rc = state_append(l, "keys", &l->keys, &add, &l->keys_len0);
		buf_free(&add);
		if (rc)
			return rc;
	}
	l->pend.m.flags |= IDX_COMMIT;
	if ((rc = write_entry(l, s, &l->pend)))
		return rc;
	/* EIO from fsync is never retried: the page cache may have dropped the data */
	if (fdatasync(s->idx_fd) < 0)
		return err_sys("cannot sync %s", log_seg_file(l, s, 1));
	/* a run that started a segment becomes visible with the MANIFEST */
	if (l->run_created) {
		uint64_t before = l->next_offset;
		l->next_offset = l->run_next;
		if ((rc = manifest_write(l))) {
			if (!l->manifest_renamed) {
				l->next_offset = before;
				return rc;
			}
			/* the MANIFEST lists the run: it is visible, though perhaps not
			 * durable, so it must not be undone; still a failure (EIO) */
			l->in_run = 0;
			l->run_created = 0;
			l->run_wrote_batches = 0;
			l->run_wrote_keys = 0;
			buf_reset(&l->run_keys);
			l->committed = 1;
			return rc;
		}
	}
	l->committed = 1;
	l->run_wrote_batches = 0;
	l->run_wrote_keys = 0;
	buf_reset(&l->run_keys);
	l->in_run = 0;
	l->have_pend = 0;
	s->data_end = s->data_size;
	s->idx_end = s->idx_size;
	l->next_offset = l->run_next;
	/* the writer does not keep entries in memory; summaries for the MANIFEST
	 * are recomputed from the file when the segment is sealed */
	if (s->data_end >= l->cfg.segment_bytes) {
		free(s->idx_raw);
		free(s->ent);
		s->idx_raw = NULL;
		s->ent = NULL;
		s->nent = 0;
		s->idx_size = s->idx_end;
		if ((rc = seg_load_index(l, s)) == 0)
			rc = roll(l);
		if (rc) {
			/* the run is durable; the next writer finishes the roll */
			warnx_("%s", err_msg());
			err_clear();
		}
	}
	return 0;
}

void log_abort(struct log *l)
{
	struct log_seg *s;

	if (!l->in_run)
		return;
	/* the deflate thread may still be writing this run's blocks */
	if (pipe_drain(l))
		err_clear();
	l->in_run = 0;
	l->have_pend = 0;
	buf_reset(&l->block);
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
	if (l->run_keys.len && l->keys_map) {
		/* the map holds this run's keys: rebuild it when next needed */
		hmap_free(l->keys_map);
		free(l->keys_map);
		l->keys_map = NULL;
	}
	buf_reset(&l->run_keys);
	if (!l->nseg)
		return;
	if (l->run_created) {
		/* the segment the run started is not in the MANIFEST: remove it */
		char path[PATH_MAX];
		s = &l->seg[l->nseg - 1];
		seg_path(l, s, 0, path, sizeof(path));
		unlink(path);
		seg_path(l, s, 1, path, sizeof(path));
		unlink(path);
		seg_close(s);
		l->nseg--;
		fsync_dir(l->dir);
		return;
	}
	s = &l->seg[l->nseg - 1];
	if (s->sealed)
		return;  /* the run wrote nothing yet: it would have started a segment */
	/* nothing of the run has a COMMIT entry, so readers never saw it */
	if (ftruncate(s->idx_fd, (off_t)l->run_idx0) == 0 && ftruncate(s->data_fd, (off_t)l->run_data0) == 0) {
		fdatasync(s->idx_fd);
		fdatasync(s->data_fd);
	}
	s->idx_size = l->run_idx0;
	s->data_size = l->run_data0;
}

/* ---- reading ---- */

int log_read_block(struct log *l, const struct log_seg *s, const struct idx_entry *e,
		   struct seg_reader *r, struct buf *blk, struct buf *raw)
{
	const char *why = NULL;
	struct block_meta m;

	buf_reset(blk);
	buf_reserve(blk, e->m.block_len);
	ssize_t got = pread_full(s->data_fd, blk->data, e->m.block_len, (off_t)e->pos);
	if (got < 0)
		return err_sys("cannot read %s", log_seg_file(l, s, 0));
	if ((size_t)got != e->m.block_len)
		return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": block truncated", log_seg_file(l, s, 0), e->pos);
	blk->len = (size_t)got;
	if (seg_block_header((unsigned char *)blk->data, blk->len, &m, &why) == 0 &&
	    (m.block_len != e->m.block_len || m.raw_len != e->m.raw_len || m.count != e->m.count ||
	     m.first_offset != e->m.first_offset || m.min_key != e->m.min_key || m.max_key != e->m.max_key))
		why = "block header disagrees with the index";
	if (!why)
		seg_block_decode(r, (unsigned char *)blk->data, blk->len, raw, &why);
	if (why)
		return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": %s", log_seg_file(l, s, 0), e->pos, why);
	return 0;
}

/* ---- reading blocks in parallel ---- */

/* One block to read; the worker that decodes it records how it went, and
 * the main thread turns that into an error, since err_set is not thread safe. */
struct rb_job {
	const struct log_seg *s;
	const struct idx_entry *e;
};

struct rb_slot {
	size_t job;                   /* the job it holds, SIZE_MAX when none */
	struct buf blk, raw;
	int fail;                     /* 0, or 1 with why / sys_errno set */
	const char *why;
	int sys_errno;
};

#define RB_SLOTS_PER_THREAD 3
#define RB_MAX_THREADS 8

struct rb {
	struct log *l;
	struct rb_job *jobs;
	size_t njobs, next, consumed, nslot;
	struct rb_slot *slot;
	int stop;
	pthread_mutex_t mu;
	pthread_cond_t done, freed;
};

/* Read and decode job j into sl; no err_set here (worker threads). */
static void rb_decode(struct rb *b, size_t j, struct rb_slot *sl, struct seg_reader *r)
{
	const struct log_seg *s = b->jobs[j].s;
	const struct idx_entry *e = b->jobs[j].e;
	struct block_meta m;
	const char *why = NULL;

	sl->fail = 0;
	buf_reset(&sl->blk);
	buf_reserve(&sl->blk, e->m.block_len);
	ssize_t got = pread_full(s->data_fd, sl->blk.data, e->m.block_len, (off_t)e->pos);
	if (got < 0) {
		sl->fail = 1;
		sl->why = NULL;
		sl->sys_errno = errno;
		return;
	}
	sl->blk.len = (size_t)got;
	if ((size_t)got != e->m.block_len)
		why = "block truncated";
	else if (seg_block_header((unsigned char *)sl->blk.data, sl->blk.len, &m, &why) == 0 &&
		 (m.block_len != e->m.block_len || m.raw_len != e->m.raw_len || m.count != e->m.count ||
		  m.first_offset != e->m.first_offset || m.min_key != e->m.min_key || m.max_key != e->m.max_key))
		why = "block header disagrees with the index";
	if (!why)
		seg_block_decode(r, (unsigned char *)sl->blk.data, sl->blk.len, &sl->raw, &why);
	if (why) {
		sl->fail = 1;
		sl->why = why;
	}
}

static void *rb_worker(void *arg)
{
	struct rb *b = arg;
	struct seg_reader r;

	seg_reader_init(&r);
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (!b->stop && b->next < b->njobs && b->next >= b->consumed + b->nslot)
			pthread_cond_wait(&b->freed, &b->mu);
		if (b->stop || b->next >= b->njobs)
			break;
		size_t j = b->next++;
		struct rb_slot *sl = &b->slot[j % b->nslot];
		pthread_mutex_unlock(&b->mu);
		rb_decode(b, j, sl, &r);
		pthread_mutex_lock(&b->mu);
		sl->job = j;
		pthread_cond_broadcast(&b->done);
	}
	pthread_mutex_unlock(&b->mu);
	seg_reader_free(&r);
	return NULL;
}

/* Threads for reading: AGGR_THREADS, else the CPUs online, at most 8. */
static int rb_threads(void)
{
	const char *env = getenv("AGGR_THREADS");
	long n = env && *env ? strtol(env, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > RB_MAX_THREADS ? RB_MAX_THREADS : (int)n;
}

int log_read_blocks(struct log *l, log_filter_fn filter, void *fctx, log_block_fn fn, void *ctx,
		    struct log_scan_stats *st)
{
	struct rb b;
	pthread_t tid[RB_MAX_THREADS];
	int nthreads = 0, rc = 0;
	struct log_scan_stats local;

	if (!st)
		st = &local;
	memset(st, 0, sizeof(*st));
	memset(&b, 0, sizeof(b));
	b.l = l;
	/* the blocks to read, chosen in order by the filter on this thread */
	for (size_t i = 0; i < l->nseg; i++)
		for (size_t j = 0; j < l->seg[i].nent; j++) {
			const struct idx_entry *e = &l->seg[i].ent[j];
			st->blocks_total++;
			if (log_block_expired(l, e) || (filter && !filter(e, &l->seg[i], fctx)))
				continue;
			if (b.njobs % 1024 == 0)
				b.jobs = xrealloc(b.jobs, sizeof(*b.jobs) * (b.njobs + 1024));
			b.jobs[b.njobs].s = &l->seg[i];
			b.jobs[b.njobs++].e = e;
		}
	int want = b.njobs > 1 ? rb_threads() : 1;
	b.nslot = want > 1 ? (size_t)want * RB_SLOTS_PER_THREAD : 1;
	b.slot = xcalloc(b.nslot, sizeof(*b.slot));
	for (size_t i = 0; i < b.nslot; i++) {
		b.slot[i].job = SIZE_MAX;
		buf_init(&b.slot[i].blk);
		buf_init(&b.slot[i].raw);
	}
	pthread_mutex_init(&b.mu, NULL);
	pthread_cond_init(&b.done, NULL);
	pthread_cond_init(&b.freed, NULL);
	/* one block, or one thread: decode here, in order, with no threads */
	for (int t = 0; want > 1 && t < want; t++)
		if (pthread_create(&tid[nthreads], NULL, rb_worker, &b) == 0)
			nthreads++;
	struct seg_reader r;
	seg_reader_init(&r);
	for (size_t j = 0; j < b.njobs && !rc; j++) {
		struct rb_slot *sl = &b.slot[j % b.nslot];
		if (nthreads) {
			pthread_mutex_lock(&b.mu);
			while (sl->job != j)
				pthread_cond_wait(&b.done, &b.mu);
			pthread_mutex_unlock(&b.mu);
		} else {
			rb_decode(&b, j, sl, &r);
		}
		const struct log_seg *s = b.jobs[j].s;
		const struct idx_entry *e = b.jobs[j].e;
		st->blocks_read++;
		if (sl->fail && !sl->why) {
			errno = sl->sys_errno;
			rc = err_sys("cannot read %s", log_seg_file(l, s, 0));
		} else if (sl->fail) {
			rc = err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": %s", log_seg_file(l, s, 0), e->pos, sl->why);
		} else {
			st->records += e->m.count;
			rc = fn(s, e, &sl->raw, ctx);
		}
		if (nthreads) {
			pthread_mutex_lock(&b.mu);
			sl->job = SIZE_MAX;
			b.consumed = j + 1;
			pthread_cond_broadcast(&b.freed);
			pthread_mutex_unlock(&b.mu);
		}
	}
	pthread_mutex_lock(&b.mu);
	b.stop = 1;
	pthread_cond_broadcast(&b.freed);
	pthread_mutex_unlock(&b.mu);
	for (int t = 0; t < nthreads; t++)
		pthread_join(tid[t], NULL);
	seg_reader_free(&r);
	pthread_mutex_destroy(&b.mu);
	pthread_cond_destroy(&b.done);
	pthread_cond_destroy(&b.freed);
	for (size_t i = 0; i < b.nslot; i++) {
		buf_free(&b.slot[i].blk);
		buf_free(&b.slot[i].raw);
	}
	free(b.slot);
	free(b.jobs);
	return rc;
}

struct scan_ctx {
	log_record_fn fn;
	void *ctx;
	struct log *l;
};

static int scan_block(const struct log_seg *s, const struct idx_entry *e, const struct buf *raw, void *vctx)
{
	struct scan_ctx *c = vctx;
	const char *p = raw->data, *end = raw->data + raw->len;
	uint64_t off = e->m.first_offset, seen = 0;
	int sparse = (e->m.flags & IDX_SPARSE) != 0, rc = 0;

	while (p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": last record has no newline",
				       log_seg_file(c->l, s, 0), e->pos);
		rc = c->fn(p, (size_t)(nl - p), sparse && seen ? LOG_NO_OFFSET : off + seen, c->ctx);
		seen++;
		p = nl + 1;
	}
	if (!rc && seen != e->m.count)
		rc = err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": block holds %" PRIu64 " records, index says %" PRIu32,
			     log_seg_file(c->l, s, 0), e->pos, seen, e->m.count);
	return rc;
}

int log_scan(struct log *l, log_filter_fn filter, log_record_fn fn, void *ctx, struct log_scan_stats *st)
{
	struct scan_ctx c = {fn, ctx, l};

	return log_read_blocks(l, filter, ctx, scan_block, &c, st);
}

int log_purge(struct log *l, uint64_t *records, uint64_t *segments)
{
	int rc;

	*records = *segments = 0;
	for (size_t i = 0; i < l->nseg; i++) {
		struct log_seg *s = &l->seg[i];
		for (size_t j = 0; j < s->nent; j++)
			*records += s->ent[j].m.count;
		(*segments)++;
	}
	log_reset_segs(l);
	/* an empty MANIFEST is the commit; the files then are orphans, and
	 * keys_from voids every summary key so far */
	l->keys_from = l->next_offset;
	if ((rc = manifest_write(l)))
		return rc;
	char *b = path_join(l->dir, "batches");
	if (unlink(b) < 0 && errno != ENOENT)
		rc = err_sys("cannot remove %s/batches", l->name);
	free(b);
	b = path_join(l->dir, "keys");
	if (!rc && unlink(b) < 0 && errno != ENOENT)
		rc = err_sys("cannot remove %s/keys", l->name);
	free(b);
	buf_reset(&l->keys);
	if (rc)
		return rc;
	return remove_orphans(l, 0);
}

/* ---- check ---- */

static int check_seg_tail(struct log *l, struct log_seg *s, int last, struct log_check_stats *st)
{
	struct seg_reader r;
	struct buf blk, raw;
	int rc = 0;

	if (last && !s->sealed) {
		for (int idx = 0; idx < 2; idx++) {
			uint64_t torn = idx ? s->idx_size - s->idx_end : s->data_size - s->data_end;
			if (torn)
				info_("%s: %" PRIu64 " bytes of an interrupted run after the last commit "
				      "(the next writer drops them)", log_seg_file(l, s, idx), torn);
			st->torn_bytes += torn;
		}
		return 0;
	}
	if (s->idx_size != s->idx_end)
		return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": index entries after the last commit "
			       "in a sealed segment", log_seg_file(l, s, 1), s->idx_end);
	/* a sealed segment ends with exactly one seal member */
	size_t seal_len = s->data_size - s->data_end;
	if (seal_len < SEG_HDR_LEN || seal_len > 4096)
		return err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": sealed segment does not end with a seal block",
			       log_seg_file(l, s, 0), s->data_end);
	seg_reader_init(&r);
	buf_init(&blk);
	buf_init(&raw);
	buf_reserve(&blk, seal_len);
	const char *why = NULL;
	struct block_meta m;
	if (pread_full(s->data_fd, blk.data, seal_len, (off_t)s->data_end) != (ssize_t)seal_len)
		why = "cannot read seal block";
	else if (seg_block_header((unsigned char *)blk.data, seal_len, &m, &why) == 0) {
		if (!(m.flags & SEG_BLOCK_SEAL) || m.count || m.block_len != seal_len)
			why = "sealed segment does not end with a seal block";
		else
			seg_block_decode(&r, (unsigned char *)blk.data, seal_len, &raw, &why);
	}
	if (why)
		rc = err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": %s", log_seg_file(l, s, 0), s->data_end, why);
	seg_reader_free(&r);
	buf_free(&blk);
	buf_free(&raw);
	return rc;
}

static int count_record(const char *line, size_t n, uint64_t off, void *ctx)
{
	(void)line;
	(void)n;
	(void)off;
	(void)ctx;
	return 0;
}

int log_check(struct log *l, struct log_check_stats *st)
{
	int rc = 0;
	uint64_t expect = l->nseg ? l->seg[0].base : 0;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < l->nseg && !rc; i++) {
		struct log_seg *s = &l->seg[i];
		st->segments++;
		/* gaps between segments: compaction may have dropped a whole one */
		if (s->base < expect)
			rc = err_set(EX_CORRUPT, "%s: segment starts at offset %" PRIu64 ", inside the one "
				     "before it (which ends at %" PRIu64 ")", log_seg_file(l, s, 0), s->base, expect);
		/* entries after a bad one would have been cut by the loader */
		if (!rc && s->torn_entries && i + 1 < l->nseg)
			rc = err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": damaged or uncommitted index entry",
				     log_seg_file(l, s, 1), s->idx_end);
		if (!rc)
			rc = check_seg_tail(l, s, i + 1 == l->nseg, st);
		if (!rc && s->sealed) {
			struct seg_summary want = s->sum;
			summarize(s);
			if (memcmp(&want, &s->sum, sizeof(want)))
				rc = err_set(EX_CORRUPT, "%s/MANIFEST: summary of segment %" PRIu64
					     " disagrees with its index", l->name, s->base);
		}
		if (s->nent)
			expect = s->ent[s->nent - 1].m.first_offset + s->ent[s->nent - 1].m.count;
		else
			expect = s->base;
		st->blocks += s->nent;
	}
	if (!rc) {
		struct log_scan_stats ss;
		int64_t expire = l->expire_before;
		l->expire_before = INT64_MIN;  /* check verifies expired blocks too */
		rc = log_scan(l, NULL, count_record, NULL, &ss);
		l->expire_before = expire;
		st->records = ss.records;
	}
	return rc;
}

/* ---- check --repair: rebuild index files from their segments ---- */

/*
 * Rebuild s's index from the blocks in its data file: hop member to member
 * by the length in each header, keep every block that decodes, stop at a
 * seal, a bad block or the end. Every kept block becomes its own committed
 * run, and its bloom filter is all ones (may hold anything), which is safe.
 * The new index replaces the old one atomically. Returns 0 or an error code.
 */
static int rebuild_index(struct log *l, struct log_seg *s, const struct log_config *cfg, uint64_t *kept)
{
	struct idx_header ih = {IDX_ENTRY_FIXED + cfg->bloom_bytes, cfg->bloom_bytes, cfg->bloom_k, s->base};
	unsigned char hdr[IDX_HDR_LEN], ent[IDX_ENTRY_FIXED + IDX_MAX_BLOOM];
	struct seg_reader r;
	struct buf blk, raw, out;
	struct stat st;
	uint64_t pos = 0, off = s->base;
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	int rc = 0;

	if (fstat(s->data_fd, &st) < 0)
		return err_sys("cannot stat %s", log_seg_file(l, s, 0));
	seg_reader_init(&r);
	buf_init(&blk);
	buf_init(&raw);
	buf_init(&out);
	idx_header_encode(hdr, &ih);
	buf_add(&out, hdr, IDX_HDR_LEN);
	*kept = 0;
	while (pos + SEG_HDR_LEN <= (uint64_t)st.st_size) {
		struct block_meta m;
		const char *why = NULL;
		unsigned char h[SEG_HDR_LEN];
		if (pread_full(s->data_fd, h, SEG_HDR_LEN, (off_t)pos) != SEG_HDR_LEN ||
		    seg_block_header(h, SEG_HDR_LEN, &m, &why) || (m.flags & SEG_BLOCK_SEAL) ||
		    pos + m.block_len > (uint64_t)st.st_size ||
		    (s->gen ? m.first_offset < off : m.first_offset != off))
			break;
		buf_reset(&blk);
		buf_reserve(&blk, m.block_len);
		if (pread_full(s->data_fd, blk.data, m.block_len, (off_t)pos) != (ssize_t)m.block_len ||
		    seg_block_decode(&r, (unsigned char *)blk.data, m.block_len, &raw, &why))
			break;
		struct idx_entry e = {pos, m, NULL};
		/* which compacted blocks have gaps is not in the block: assume all */
		e.m.flags = IDX_COMMIT | (s->gen ? IDX_SPARSE : 0);
		idx_entry_encode(ent, &ih, &e);
		buf_add(&out, ent, ih.entry_size);
		pos += m.block_len;
		off += m.count;
		(*kept)++;
	}
	seg_path(l, s, 1, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write_full(fd, out.data, out.len) < 0 || fsync(fd) < 0)
		rc = err_sys("cannot write %s.tmp", log_seg_file(l, s, 1));
	if (fd >= 0)
		close(fd);
	if (!rc && rename(tmp, path) < 0)
		rc = err_sys("cannot replace %s", log_seg_file(l, s, 1));
	if (!rc)
		rc = fsync_dir(l->dir);
	if (rc)
		unlink(tmp);
	seg_reader_free(&r);
	buf_free(&blk);
	buf_free(&raw);
	buf_free(&out);
	return rc;
}

int log_repair_indexes(const char *data_dir, const char *name, const struct log_config *cfg,
		       double wait_secs)
{
	struct log *l = log_new(data_dir, name);
	int rc;

	if ((rc = take_lock(l, wait_secs)) || (rc = manifest_read(l)))
		goto out;
	for (size_t i = 0; i < l->nseg && !rc; i++) {
		struct log_seg *s = &l->seg[i];
		char path[PATH_MAX];
		uint64_t kept = 0;
		int bad = 0;
		s->data_fd = s->idx_fd = -1;
		seg_path(l, s, 0, path, sizeof(path));
		if ((s->data_fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
			rc = err_sys("cannot open %s", log_seg_file(l, s, 0));
			break;
		}
		seg_path(l, s, 1, path, sizeof(path));
		s->idx_fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (s->idx_fd < 0) {
			bad = 1;
		} else if (seg_load_index(l, s)) {
			err_clear();
			bad = 1;
		} else if (s->sealed && s->torn_entries) {
			bad = 1;
		}
		if (!bad)
			continue;
		if ((rc = rebuild_index(l, s, cfg, &kept)))
			break;
		warnx_("%s: rebuilt the index from %" PRIu64 " good blocks", log_seg_file(l, s, 1), kept);
	}
out:
	log_close(l);
	return rc;
}

/* ---- compaction ---- */

/* A compacted segment being written. */
struct compact_out {
	struct log_seg s;
	struct buf raw;              /* the block being filled */
	struct block_meta m;
	unsigned char *bloom;
	uint64_t next_virt;          /* where the block's offsets would continue */
	int sparse;
};

static int compact_flush(struct log *l, struct compact_out *o)
{
	struct idx_entry e;
	int rc;

	if (!o->m.count)
		return 0;
	o->m.raw_len = (uint32_t)o->raw.len;
	o->m.flags = 0;
	buf_reset(&l->zbuf);
	if ((rc = seg_block_encode(&l->zw, o->raw.data, &o->m, &l->zbuf)))
		return rc;
	if (pwrite_full(o->s.data_fd, l->zbuf.data, l->zbuf.len, (off_t)o->s.data_size) < 0)
		return err_sys("cannot write %s", log_seg_file(l, &o->s, 0));
	e.pos = o->s.data_size;
	e.m = o->m;
	/* every block is committed: the whole file appears at once, with the MANIFEST */
	e.m.flags = IDX_COMMIT | (o->sparse ? IDX_SPARSE : 0);
	e.bloom = o->bloom;
	if ((rc = write_entry(l, &o->s, &e)))
		return rc;
	o->s.data_size += l->zbuf.len;
	buf_reset(&o->raw);
	memset(&o->m, 0, sizeof(o->m));
	memset(o->bloom, 0, o->s.ih.bloom_bytes);
	o->sparse = 0;
	return 0;
}

/* Add one kept record whose offset is virt (exact, or a lower bound when
 * exact is 0) from a block ingested at ingest_us. */
static int compact_add(struct log *l, struct compact_out *o, const struct log_keep *k, uint64_t virt,
		       int exact, int64_t ingest_us)
{
	int rc;

	if (o->raw.len && o->raw.len + k->n + 1 > l->cfg.block_bytes && (rc = compact_flush(l, o)))
		return rc;
	if (!o->m.count) {
		o->m.first_offset = virt;
		o->m.min_key = o->m.max_key = k->key;
		o->m.ingest_us = ingest_us;
		/* a block starting on a guessed offset may hide a gap before its next */
		o->sparse = !exact;
	} else if (virt != o->next_virt || !exact) {
		o->sparse = 1;
	}
	o->next_virt = virt + 1;
	buf_add(&o->raw, k->line, k->n);
	buf_addc(&o->raw, '\n');
	if (k->key < o->m.min_key)
		o->m.min_key = k->key;
	if (k->key > o->m.max_key)
		o->m.max_key = k->key;
	/* blocks merged from several runs: retention must not expire the newest early */
	if (ingest_us > o->m.ingest_us)
		o->m.ingest_us = ingest_us;
	o->m.count++;
	for (size_t i = 0; i < k->nbloom && o->s.ih.bloom_bytes; i++)
		bloom_add(o->bloom, o->s.ih.bloom_bytes, o->s.ih.bloom_k, k->bloom[i].p, k->bloom[i].n);
	return 0;
}

static void compact_discard(struct log *l, struct log_seg *s)
{
	char path[PATH_MAX];

	for (int idx = 0; idx < 2; idx++) {
		seg_path(l, s, idx, path, sizeof(path));
		unlink(path);
	}
	seg_close(s);
}

/*
 * Rewrite segment s through fn into o->s (a new generation). Sets *changed
 * when any record was dropped or replaced. Returns 0 or an error code; the
 * caller discards o->s on error.
 */
static int compact_seg(struct log *l, struct log_seg *s, struct compact_out *o, log_compact_fn fn,
		       void *ctx, int *changed, struct log_compact_stats *st)
{
	struct seg_reader r;
	struct buf blk, raw;
	uint64_t virt = s->base;
	int rc;

	if ((rc = seg_files_create(l, s->base, s->gen + 1, s->ih.bloom_bytes, s->ih.bloom_k, &o->s)))
		return rc;
	o->bloom = xcalloc(1, s->ih.bloom_bytes + 1);
	seg_reader_init(&r);
	buf_init(&blk);
	buf_init(&raw);
	for (size_t j = 0; j < s->nent && !rc; j++) {
		const struct idx_entry *e = &s->ent[j];
		int sparse = (e->m.flags & IDX_SPARSE) != 0;
		if ((rc = log_read_block(l, s, e, &r, &blk, &raw)))
			break;
		const char *p = raw.data, *end = raw.data + raw.len;
		for (uint32_t i = 0; p < end && !rc; i++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			struct log_keep k;
			if (!nl) {
				rc = err_set(EX_CORRUPT, "%s: offset %" PRIu64 ": last record has no newline",
					     log_seg_file(l, s, 0), e->pos);
				break;
			}
			/* offsets inside a compacted block are known only as lower bounds */
			int exact = i == 0 || !sparse;
			virt = i == 0 ? e->m.first_offset : virt + 1;
			memset(&k, 0, sizeof(k));
			if ((rc = fn(p, (size_t)(nl - p), exact ? virt : LOG_NO_OFFSET, &k, ctx)))
				break;
			if (!k.line) {
				*changed = 1;
				st->records_dropped++;
			} else {
				if (k.line != p || k.n != (size_t)(nl - p))
					*changed = 1;
				st->records_kept++;
				rc = compact_add(l, o, &k, virt, exact, e->m.ingest_us);
			}
			p = nl + 1;
		}
	}
	if (!rc)
		rc = compact_flush(l, o);
	seg_reader_free(&r);
	buf_free(&blk);
	buf_free(&raw);
	free(o->bloom);
	o->bloom = NULL;
	o->s.data_end = o->s.data_size;
	o->s.idx_end = o->s.idx_size;
	if (rc || !*changed || !o->s.data_size)
		return rc;
	if (s->sealed) {
		/* the seal block goes too, so the new file is a sealed segment */
		struct block_meta m;
		memset(&m, 0, sizeof(m));
		m.flags = SEG_BLOCK_SEAL;
		m.first_offset = s == &l->seg[l->nseg - 1] ? l->next_offset : s[1].base;
		m.ingest_us = s->sum.max_ingest;
		buf_reset(&l->zbuf);
		if ((rc = seg_block_encode(&l->zw, "", &m, &l->zbuf)))
			return rc;
		if (pwrite_full(o->s.data_fd, l->zbuf.data, l->zbuf.len, (off_t)o->s.data_size) < 0)
			return err_sys("cannot write %s", log_seg_file(l, &o->s, 0));
		o->s.data_size += l->zbuf.len;
		o->s.sealed = 1;
	}
	if (fdatasync(o->s.data_fd) < 0 || fdatasync(o->s.idx_fd) < 0)
		return err_sys("cannot sync %s", log_seg_file(l, &o->s, 0));
	return 0;
}

int log_compact(struct log *l, log_compact_fn fn, void *ctx, struct log_compact_stats *st)
{
	struct log_seg *old = l->seg, *next = xcalloc(l->nseg + 1, sizeof(*next));
	unsigned char *fresh = xcalloc(l->nseg + 1, 1);  /* next[i] is a new file */
	size_t nold = l->nseg, nnext = 0;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	for (size_t i = 0; i < nold && !rc; i++) {
		struct compact_out o;
		int changed = 0;
		memset(&o, 0, sizeof(o));
		buf_init(&o.raw);
		st->bytes_before += old[i].data_size;
		rc = compact_seg(l, &old[i], &o, fn, ctx, &changed, st);
		buf_free(&o.raw);
		if (rc || !changed) {
			if (o.s.data_fd >= 0)
				compact_discard(l, &o.s);
			st->bytes_after += old[i].data_size;
			next[nnext++] = old[i];
			continue;
		}
		st->segments_rewritten++;
		if (!o.s.data_size) {
			/* nothing left: the segment leaves the MANIFEST */
			compact_discard(l, &o.s);
			st->segments_dropped++;
			continue;
		}
		st->bytes_after += o.s.data_size;
		fresh[nnext] = 1;
		next[nnext++] = o.s;
	}
	if (!rc && !st->segments_rewritten)
		goto undo;
	if (!rc)
		rc = fsync_dir(l->dir);
	for (size_t i = 0; i < nnext && !rc; i++) {
		if (!fresh[i])
			continue;
		free(next[i].ent);
		next[i].ent = NULL;
		if (!(rc = seg_load_index(l, &next[i])) && next[i].sealed)
			summarize(&next[i]);
	}
	if (rc)
		goto undo;
	l->seg = next;
	l->nseg = nnext;
	l->manifest_renamed = 0;
	if ((rc = manifest_write(l)) && !l->manifest_renamed) {
		l->seg = old;
		l->nseg = nold;
		goto undo;
	}
	/* committed (the rename happened): old files of rewritten segments are orphans */
	for (size_t j = 0; j < nold; j++) {
		int kept = 0;
		for (size_t i = 0; i < nnext; i++)
			kept |= !fresh[i] && next[i].base == old[j].base;
		if (!kept)
			seg_close(&old[j]);
	}
	free(old);
	free(fresh);
	l->committed = 1;
	if (rc)
		return rc;
	return remove_orphans(l, 0);
undo:
	/* the old segment set stays; new files are removed (or left as orphans) */
	for (size_t i = 0; i < nnext; i++)
		if (fresh[i])
			compact_discard(l, &next[i]);
	free(next);
	free(fresh);
	return rc;
}

/* ---- retention ---- */

int log_set_retention(struct log *l, int64_t retention_us)
{
	int64_t old = l->retention_us;
	int rc;

	l->retention_us = retention_us;
	if ((rc = manifest_write(l)) && !l->manifest_renamed)
		l->retention_us = old;
	return rc;
}

int log_retain(struct log *l, int64_t cutoff, uint64_t *records, uint64_t *segments)
{
	size_t n;
	int rc;

	*records = *segments = 0;
	if (l->in_run)
		return err_set(EX_FAIL, "%s: retention inside an ingest run", l->name);
	for (n = 0; n < l->nseg; n++) {
		struct log_seg *s = &l->seg[n];
		if (!s->sealed) {
			/* a writer does not keep the entries of the runs it
			 * committed: summarise the active segment from its file */
			free(s->idx_raw);
			free(s->ent);
			s->idx_raw = NULL;
			s->ent = NULL;
			s->nent = 0;
			if ((rc = seg_load_index(l, s)))
				return rc;
		}
		if (!s->sum.blocks || s->sum.max_ingest >= cutoff)
			break;
		*records += s->sum.records;
	}
	if (!n)
		return 0;
	*segments = n;
	for (size_t i = 0; i < n; i++)
		seg_close(&l->seg[i]);
	memmove(l->seg, l->seg + n, sizeof(*l->seg) * (l->nseg - n));
	l->nseg -= n;
	/* the MANIFEST without them is the commit; then they are orphans */
	if ((rc = manifest_write(l)))
		return rc;
	return remove_orphans(l, 0);
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

static int keys_recover(struct log *l)
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
