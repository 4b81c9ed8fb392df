/* fileops.c: see fileops.h */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileops.h"
#include "util.h"

/* Split path into a malloc'd directory and the name in it (a pointer into path). */
static char *split(const char *path, const char **base)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	*base = path;
	if (!slash) {
		strcpy(dir, ".");
		return dir;
	}
	*base = path + (slash - dir) + 1;
	if (slash == dir)
		slash[1] = 0;      /* "/name": the root */
	else
		*slash = 0;
	return dir;
}

int file_replace(const char *path, const void *p, size_t n)
{
	const char *base;
	char *dir = split(path, &base);
	int rc;

	if (!*base)
		rc = err_set(EX_USAGE, "%s: names a directory", path);
	else
		rc = atomic_replace(dir, base, p, n);
	free(dir);
	return rc;
}

int file_remove(const char *path)
{
	const char *base;
	char *dir = split(path, &base);
	int rc;

	if (unlink(path) < 0 && errno != ENOENT)
		rc = err_sys("cannot remove %s", path);
	else
		rc = fsync_dir(dir);
	free(dir);
	return rc;
}
