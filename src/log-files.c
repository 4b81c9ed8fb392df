/* log-files.c: every on-disk name of a log, one builder and one parser per
 * file type, and the directory walk that removes what no MANIFEST lists */
#include "log-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

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

/*
 * Segment files: BASE[-GEN].jsonl.gz (data, sealed), BASE[-GEN].jsonl.gz.open
 * (data, while the segment is active: the documented glob *.jsonl.gz does
 * not match it, so other engines see only sealed segments, all of whose
 * bytes are committed) and BASE[-GEN].idx. GEN counts the times compaction
 * rewrote the segment.
 */
static const char *const seg_ext[] = {".jsonl.gz", ".idx", ".jsonl.gz.open", ".flt"};

void logf_seg_name(char *out, size_t n, const char *dir, uint64_t base, uint32_t gen, int idx)
{
	const char *ext = seg_ext[idx];
	if (gen)
		snprintf(out, n, "%s/%020" PRIu64 "-%" PRIu32 "%s", dir, base, gen, ext);
	else
		snprintf(out, n, "%s/%020" PRIu64 "%s", dir, base, ext);
}

/* the name the data file has now (see data_ftype) */
static int seg_ftype(const struct log_seg *s, int idx)
{
	return idx == 2 ? LOGF_FLT : idx ? LOGF_IDX : s->data_ftype;
}

struct log_seg_name log_seg_name_of(const struct log *l, const struct log_seg *s, int idx)
{
	struct log_seg_name n;

	logf_seg_name(n.str, sizeof(n.str), l->name, s->base, s->gen, seg_ftype(s, idx));
	return n;
}

void logf_seg_rel(const struct log *l, const struct log_seg *s, int idx, char *out, size_t n)
{
	logf_seg_name(out, n, l->name, s->base, s->gen, seg_ftype(s, idx));
}

void logf_seg_path(const struct log *l, const struct log_seg *s, int idx, char *out, size_t n)
{
	logf_seg_name(out, n, l->dir, s->base, s->gen, seg_ftype(s, idx));
}

void logf_seg_path_as(const struct log *l, const struct log_seg *s, int ftype, char *out, size_t n)
{
	logf_seg_name(out, n, l->dir, s->base, s->gen, ftype);
}

int logf_parse_seg(const char *n, uint64_t *base, uint32_t *gen, int *idx)
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
	for (*idx = 0; *idx < 4 && strcmp(p, seg_ext[*idx]); ++*idx)
		;
	if (*idx == 4)
		return 0;
	*base = strtoull(n, NULL, 10);
	return 1;
}

/* Is the file of segment (base, gen) listed, its filter only when the
 * MANIFEST names one? Segments are in offset order, so a directory of many
 * costs a search per file, not a scan. */
static int seg_listed(const struct log *l, uint64_t base, uint32_t gen, int idx)
{
	size_t lo = 0, hi = l->nseg;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->seg[mid].base < base)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < l->nseg && l->seg[lo].base == base; lo++)
		if (l->seg[lo].gen == gen && (idx != LOGF_FLT || l->seg[lo].has_filter))
			return 1;
	return 0;
}

int logf_dir_next(DIR *d, struct logf_entry *e)
{
	struct dirent *de;

	while (d && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		e->name = de->d_name;
		e->tmp = n > 4 && !strcmp(de->d_name + n - 4, ".tmp");
		if (e->tmp || logf_parse_seg(de->d_name, &e->base, &e->gen, &e->idx))
			return 1;
	}
	return 0;
}

/* Delete temporary files and segment files the MANIFEST does not list. */
int log_remove_orphans(struct log *l, int report)
{
	DIR *d = opendir(l->dir);
	struct logf_entry de;
	int removed = 0;

	if (!d)
		return err_sys("cannot read directory %s", l->name);
	while (logf_dir_next(d, &de)) {
		/* a filter counts only when the MANIFEST names it */
		if (!de.tmp && seg_listed(l, de.base, de.gen, de.idx))
			continue;
		char *p = path_join(l->dir, de.name);
		if (!l->have_manifest && !de.tmp) {
			/* segments without any MANIFEST: only a crash while the log
			 * was being created leaves them, and then they are empty */
			struct stat st;
			if (lstat(p, &st) == 0 && st.st_size > (de.idx == LOGF_IDX ? IDX_HDR_LEN : 0)) {
				/* the message names the entry: before closedir frees it */
				int rc = err_set(EX_CORRUPT, "%s: MANIFEST is missing but segment %s holds data; "
						 "run 'aggr check --repair %s'", l->name, de.name, l->name);
				free(p);
				closedir(d);
				return rc;
			}
		}
		if (unlink(p) < 0 && errno != ENOENT) {
			int rc = err_sys("cannot remove %s/%s", l->name, de.name);
			free(p);
			closedir(d);
			return rc;
		}
		if (report)
			info_("%s: removed leftover %s", l->name, de.name);
		free(p);
		removed++;
	}
	closedir(d);
	return removed ? fsync_dir(l->dir) : 0;
}


static void stamp_stat(struct log_stamp *st)
{
	struct stat sb;

	st->ino = 0;
	st->msize = st->isize = st->mtime_s = st->mtime_ns = 0;
	if (stat(st->manifest, &sb) == 0) {
		st->ino = (uint64_t)sb.st_ino;
		st->msize = (int64_t)sb.st_size;
		st->mtime_s = (int64_t)sb.st_mtim.tv_sec;
		st->mtime_ns = (int64_t)sb.st_mtim.tv_nsec;
	}
	if (st->index[0] && stat(st->index, &sb) == 0)
		st->isize = (int64_t)sb.st_size;
}

void log_stamp(const struct log *l, struct log_stamp *st)
{
	snprintf(st->manifest, sizeof(st->manifest), "%s/MANIFEST", l->dir);
	st->index[0] = 0;
	if (l->nseg)
		logf_seg_path(l, &l->seg[l->nseg - 1], 1, st->index, sizeof(st->index));
	stamp_stat(st);
}

void log_stamp_again(const struct log_stamp *old, struct log_stamp *st)
{
	memcpy(st->manifest, old->manifest, sizeof(st->manifest));
	memcpy(st->index, old->index, sizeof(st->index));
	stamp_stat(st);
}

int log_stamp_same(const struct log_stamp *a, const struct log_stamp *b)
{
	return a->ino == b->ino && a->msize == b->msize && a->isize == b->isize && a->mtime_s == b->mtime_s &&
	       a->mtime_ns == b->mtime_ns && !strcmp(a->index, b->index);
}

/* ---- bytes on disk ---- */

/* log_disk_bytes under dir, depth levels down */
static int dir_bytes(const char *dir, int depth, uint64_t *sum)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return errno == ENOENT ? 0 : err_sys("cannot read directory %s", dir);
	while (!rc && (de = readdir(d))) {
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode)) {
			*sum += (uint64_t)st.st_size;
		} else if (S_ISDIR(st.st_mode) && depth < 4) {
			char *sub = path_join(dir, de->d_name);
			rc = dir_bytes(sub, depth + 1, sum);
			free(sub);
		}
	}
	closedir(d);
	return rc;
}

int log_disk_bytes(const struct log *l, uint64_t *sum)
{
	*sum = 0;
	return dir_bytes(l->dir, 0, sum);
}
