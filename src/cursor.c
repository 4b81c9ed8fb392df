/* cursor.c: cursor files (cursor.h) */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "fileops.h"
#include "util.h"

/* a log name is at most "streams/" + 128 characters */
#define CURSOR_MAX 256

int cursor_read(const char *path, const char *name, uint64_t *offset, int *found)
{
	struct buf b;
	int rc = 0;

	*found = 0;
	buf_init(&b);
	if (read_file(path, &b, CURSOR_MAX) < 0) {
		if (errno == ENOENT) {
			buf_free(&b);
			return 0;
		}
		rc = errno == EFBIG ? err_set(EX_DATA, "%s:1: not a cursor file: longer than %d bytes", path, CURSOR_MAX)
				    : err_sys("cannot read cursor file %s", path);
		buf_free(&b);
		return rc;
	}
	const char *p = b.data, *end = b.data + b.len;
	const char *sp = b.len ? memchr(p, ' ', b.len) : NULL;
	const char *nl = b.len ? memchr(p, '\n', b.len) : NULL;
	int64_t v;
	if (!b.len)
		rc = err_set(EX_DATA, "%s:1: not a cursor file: empty", path);
	else if (!nl || nl + 1 != end || !sp || sp > nl)
		rc = err_set(EX_DATA, "%s:1: not a cursor file: not one line \"LOG OFFSET\"", path);
	else if ((size_t)(sp - p) != strlen(name) || memcmp(p, name, strlen(name)))
		rc = err_set(EX_DATA, "%s:1: cursor of log %.*s, not of %s", path, (int)(sp - p), p, name);
	else if (sp + 1 == nl || sp[1] == '-' || sp[1] == '+' || parse_i64(sp + 1, (size_t)(nl - sp - 1), &v))
		rc = err_set(EX_DATA, "%s:1: not a cursor file: offset is not a non-negative integer", path);
	else {
		*offset = (uint64_t)v;
		*found = 1;
	}
	buf_free(&b);
	return rc;
}

int cursor_save(const char *path, const char *name, uint64_t offset)
{
	char line[CURSOR_MAX + 32];
	int n = snprintf(line, sizeof(line), "%s %" PRIu64 "\n", name, offset);

	return file_replace(path, line, (size_t)n);
}
