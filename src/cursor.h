/* cursor.h: a reader's saved position in a log, in a file of its own
 *
 * A cursor file holds one line "LOG OFFSET\n": the log it belongs to and
 * the offset of the next record to read. It is replaced atomically (write
 * a temporary file, fsync, rename, fsync the directory), so a crash leaves
 * the old position or the new one.
 */
#ifndef AGGR_CURSOR_H
#define AGGR_CURSOR_H

#include <stdint.h>

/*
 * Read the cursor of log name from path into *offset. Returns 0 and sets
 * *found to 1, or 0 with *found 0 when the file does not exist; EX_DATA
 * (err_set: "PATH:1: not a cursor file: why") when it holds anything but
 * one cursor line, or one of another log; EX_FAIL/EX_PERM when it cannot
 * be read.
 */
int cursor_read(const char *path, const char *name, uint64_t *offset, int *found);

/* Save offset as the cursor of log name in path, atomically and durably.
 * Returns 0 or an error code (err_set), the file then as it was. */
int cursor_save(const char *path, const char *name, uint64_t offset);

#endif
