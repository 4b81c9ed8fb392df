/* store.c: the logs of a data directory (store.h) */
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kind.h"
#include "timefmt.h"
#include "util.h"

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_name(char ***names, size_t *n, const char *name)
{
	*names = xrealloc(*names, sizeof(**names) * (*n + 1));
	(*names)[(*n)++] = xstrdup(name);
}

size_t store_list_logs(const char *dir, char ***out)
{
	char **names = NULL;
	size_t n = 0;
	struct stat st;

	*out = NULL;
	if (stat(dir, &st) == 0 && !S_ISDIR(st.st_mode)) {
		err_set(EX_FAIL, "%s: not a directory", dir);
		return 0;
	}
	/* the kinds' own logs: each kind whose name is a log's */
	for (size_t i = 0; kind_at(i); i++) {
		const char *name = kind_at(i)->name;
		if (kind_log_name_valid(name) && log_present(dir, name))
			add_name(&names, &n, name);
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_name);
	char *sd = path_join(dir, "streams");
	DIR *d = opendir(sd);
	if (!d && errno != ENOENT && errno != ENOTDIR)
		err_sys("cannot read directory %s", sd);
	if (d) {
		size_t first = n;
		for (struct dirent *de; (de = readdir(d));) {
			char name[300];
			snprintf(name, sizeof(name), "streams/%s", de->d_name);
			if (kind_log_name_valid(name) && log_present(dir, name))
				add_name(&names, &n, name);
		}
		closedir(d);
		if (n > first)
			qsort(names + first, n - first, sizeof(*names), cmp_name);
	}
	free(sd);
	*out = names;
	return n;
}

size_t store_select_logs(const char *dir, const char *name, char ***out)
{
	if (!name)
		return store_list_logs(dir, out);
	*out = xmalloc(sizeof(**out));
	(*out)[0] = xstrdup(name);
	return 1;
}

void store_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int store_config(const char *name, struct log_config *cfg)
{
	const char *kind = log_name_kind(name);
	const struct kind *k = kind_find(kind);
	int rc;

	if ((rc = log_config_init(cfg, kind, k ? k->bloom_bytes : 0, k ? k->bloom_k : 0)))
		return rc;
	cfg->retention_us = k ? k->retention_us : 0;
	return 0;
}

int store_open_write(const char *dir, const char *name, double wait_secs, struct log **lg)
{
	struct log_config cfg;
	int rc;

	if ((rc = store_config(name, &cfg)))
		return rc;
	return log_open_write(dir, name, &cfg, wait_secs, lg);
}

int store_retain_expired(struct log *l, int64_t cutoff)
{
	uint64_t recs, segs;
	char t[48];
	int rc;

	if ((rc = log_retain(l, cutoff, &recs, &segs)))
		return rc;
	time_format_utc(cutoff, t);
	if (segs)
		info_("%s: deleted %" PRIu64 " record%s (%" PRIu64 " segment%s) ingested before %s", log_name(l),
		      recs, recs == 1 ? "" : "s", segs, segs == 1 ? "" : "s", t);
	return 0;
}

int store_retain_oversize(struct log *l, uint64_t max_bytes)
{
	uint64_t recs, segs, freed, left;
	int rc;

	if ((rc = log_retain_bytes(l, max_bytes, &recs, &segs, &freed, &left)))
		return rc;
	if (segs)
		info_("%s: deleted %" PRIu64 " record%s (%" PRIu64 " segment%s, %" PRIu64 " bytes) to fit in %" PRIu64
		      " bytes", log_name(l), recs, recs == 1 ? "" : "s", segs, segs == 1 ? "" : "s", freed, max_bytes);
	if (left > max_bytes)
		info_("%s: %" PRIu64 " bytes, more than %" PRIu64 ", but the newest segment stays", log_name(l), left,
		      max_bytes);
	return 0;
}

int store_retain_apply(struct log *l, int64_t now)
{
	int rc = 0;

	if (log_retention(l) > 0)
		rc = store_retain_expired(l, now - log_retention(l));
	if (!rc && log_retention_bytes(l) > 0)
		rc = store_retain_oversize(l, log_retention_bytes(l));
	return rc;
}
