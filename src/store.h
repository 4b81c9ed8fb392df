/* store.h: the logs of a data directory, between the commands and the engine
 *
 * Commands reach logs through here: which logs a data directory holds, the
 * configuration a writer of a log gets from its kind (one table, kind.c),
 * and the retention a writer applies on its way out. Nothing here prints
 * but the -v notes of retention.
 */
#ifndef AGGR_STORE_H
#define AGGR_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "log.h"

/* Every log in dir (log_present: a MANIFEST, segment files, or a log that
 * cannot be read, whose opening then says why): the kinds' logs, then the
 * streams, each group sorted (malloc'd names, free with store_names_free). Returns
 * the count; on an error (dir not a directory, streams/ unreadable) the
 * names found so far, with err_set pending. */
size_t store_list_logs(const char *dir, char ***out);

/* name when given (not checked), else store_list_logs. */
size_t store_select_logs(const char *dir, const char *name, char ***out);

void store_names_free(char **names, size_t n);

/* The configuration a writer of the log name ("flows", "streams/x") gets
 * from its kind: bloom geometry and a new log's retention. (Clustering is
 * ingest's to ask for: other writers, such as repair, keep block order.)
 * Returns 0, or EX_USAGE (reported) when the environment's settings
 * (AGGR_LEVEL, ...) are bad. */
int store_config(const char *name, struct log_config *cfg);

/* Open the log name in dir as its kind's writer (log_open_write with
 * store_config). Returns 0 and *lg, or log_open_write's error code. */
int store_open_write(const char *dir, const char *name, double wait_secs, struct log **lg);

/* Writer, outside a run: delete the segments ingested before cutoff
 * (log_retain) and say so with -v. Returns 0 or an error code. */
int store_retain_expired(struct log *l, int64_t cutoff);

/* Writer, outside a run: delete the oldest sealed segments until the log
 * fits in max_bytes (log_retain_bytes) and say so with -v. Returns 0 or
 * an error code. */
int store_retain_oversize(struct log *l, uint64_t max_bytes);

/* A writer's way out: the log's retention by age (from now), then by
 * size, each when set. Returns 0 or the first error code. */
int store_retain_apply(struct log *l, int64_t now);

#endif
