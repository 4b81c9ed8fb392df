/* log-manifest.c: MANIFEST encode and decode */
#include "log-int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MANIFEST_MAX (16u << 20)

/* ---- MANIFEST ---- */

int log_manifest_parse(struct log *l, const char *text, size_t len)
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
			/* 1: before runs spanned segments; 2: before filter files;
			 * both read as 3 reads them */
			if (strcmp(line, "aggr-manifest 1") && strcmp(line, "aggr-manifest 2") &&
			    strcmp(line, "aggr-manifest 3"))
				return err_set(EX_CORRUPT, "%s/MANIFEST: unknown version", l->name);
			l->manifest_version = line[14] - '0';
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
		if (!strncmp(line, "retention_bytes ", 16)) {
			int64_t num;
			if (line[16] == '-' || parse_i64(line + 16, strlen(line + 16), &num))
				return err_set(EX_CORRUPT, "%s/MANIFEST: line %d: bad retention_bytes", l->name, lineno);
			l->retention_bytes = (uint64_t)num;
			continue;
		}
		if (!strncmp(line, "kind ", 5)) {
			size_t kn = strlen(line + 5);
			if (kn >= sizeof(l->kind))
				return err_set(EX_CORRUPT, "%s/MANIFEST: line %d: kind too long", l->name, lineno);
			/* kinds are lowercase words: anything else is damage, and
			 * must not reach a message or info's output as it is */
			if (!kn || strspn(line + 5, "abcdefghijklmnopqrstuvwxyz") != kn)
				return err_set(EX_CORRUPT, "%s/MANIFEST: line %d: bad kind", l->name, lineno);
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
		/* a sealed segment with a filter file (format 3) says " filter" */
		const char *f = strstr(line, " filter");
		if (f && (f[7] != 0 && f[7] != ' '))
			f = NULL;
		if (f) {
			if (l->manifest_version < 3 || k != 9 || strcmp(state, "sealed") || (g && g < f))
				return err_set(EX_CORRUPT, "%s/MANIFEST: line %d: bad segment line", l->name, lineno);
			s.has_filter = 1;
		}
		if (k == 9 && !strcmp(state, "sealed"))
			s.sealed = 1;
		else if (!(k == 2 && !strcmp(state, "active")))
			return err_set(EX_CORRUPT, "%s/MANIFEST: line %d: bad segment line", l->name, lineno);
		s.data_ftype = s.sealed ? LOGF_DATA : LOGF_OPEN;
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

int log_manifest_read(struct log *l)
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
		rc = log_manifest_parse(l, b.data, b.len);
	}
	buf_free(&b);
	free(path);
	return rc;
}

void log_seg_summarize(struct log_seg *s)
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

/* Segment s's line of the MANIFEST, appended to b. */
static void seg_line(struct buf *b, const struct log_seg *s)
{
	if (s->sealed)
		buf_addf(b, "segment %020" PRIu64 " sealed records %" PRIu64 " blocks %" PRIu64
			 " bytes %" PRIu64 " min_key %" PRId64 " max_key %" PRId64
			 " min_ingest %" PRId64 " max_ingest %" PRId64 "\n",
			 s->base, s->sum.records, s->sum.blocks, s->sum.bytes, s->sum.min_key,
			 s->sum.max_key, s->sum.min_ingest, s->sum.max_ingest);
	else
		buf_addf(b, "segment %020" PRIu64 " active\n", s->base);
	if (s->sealed && s->has_filter) {
		b->len--;
		buf_adds(b, " filter\n");
	}
	if (s->gen) {
		b->len--;  /* the gen goes on the segment's line */
		buf_addf(b, " gen %" PRIu32 "\n", s->gen);
	}
}

size_t log_manifest_seg_len(const struct log_seg *s)
{
	struct buf b;
	size_t n;

	buf_init(&b);
	seg_line(&b, s);
	n = b.len;
	buf_free(&b);
	return n;
}

int log_manifest_write(struct log *l)
{
	struct buf b;
	int rc;

	/* every sealed segment with bloom filters gets its filter file before
	 * the MANIFEST that names it: this one (the commit point) */
	for (size_t i = 0; i < l->nseg; i++) {
		struct log_seg *s = &l->seg[i];
		if (s->sealed && !s->has_filter && log_filter_wanted(l, s)) {
			if ((rc = log_filter_write(l, s)))
				return rc;
			s->has_filter = 1;
		}
	}
	buf_init(&b);
	buf_addf(&b, "aggr-manifest %d\nkind", LOG_FORMAT);
	buf_addf(&b, " %s\nnext_offset %" PRIu64 "\n", l->kind, l->next_offset);
	if (l->retention_us)
		buf_addf(&b, "retention_us %" PRId64 "\n", l->retention_us);
	if (l->retention_bytes)
		buf_addf(&b, "retention_bytes %" PRIu64 "\n", l->retention_bytes);
	if (l->keys_from)
		buf_addf(&b, "keys_from %" PRIu64 "\n", l->keys_from);
	for (size_t i = 0; i < l->nseg; i++)
		seg_line(&b, &l->seg[i]);
	buf_addf(&b, "crc %08" PRIx32 "\n", crc32_of(b.data, b.len));
	rc = atomic_replace_ex(l->dir, "MANIFEST", b.data, b.len, &l->manifest_renamed);
	if (rc == 0) {
		l->have_manifest = 1;
		l->manifest_version = LOG_FORMAT;
	}
	buf_free(&b);
	return rc;
}

