/* fileops.h: whole files named by a path the user gave, replaced or
 * removed durably (cursor files, rejects files, loaded source files) */
#ifndef AGGR_FILEOPS_H
#define AGGR_FILEOPS_H

#include <stddef.h>

/* Replace path with the n bytes at p atomically (atomic_replace in its
 * directory: temporary file, fsync, rename, fsync the directory). Returns
 * 0, EX_USAGE for a path that ends in '/', or an error code (err_set),
 * the file then as it was. */
int file_replace(const char *path, const void *p, size_t n);

/* Remove path and sync its directory, so the removal survives a power
 * cut. A path already gone is removed. Returns 0 or an error code. */
int file_remove(const char *path);

#endif
