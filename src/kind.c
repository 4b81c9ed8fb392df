/* kind.c: the table of kinds, and the names of the logs they own (kind.h) */
#include "kind.h"

#include <string.h>

static const struct kind *const kinds[] = {
	&kind_flows,
	&kind_counters,
	&kind_events,
	&kind_sessions,
	&kind_stream,   /* found by its log's kind; not an ingest KIND */
};
#define NKINDS (sizeof(kinds) / sizeof(*kinds))

const struct kind *kind_find(const char *name)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (!strcmp(kinds[i]->name, name))
			return kinds[i];
	return NULL;
}

const char *kind_names(void)
{
	/* built from the table once; the kinds' names are short */
	static char names[128];

	if (!names[0]) {
		size_t at = 0;
		for (size_t i = 0; i < NKINDS; i++)
			if (!kinds[i]->log_prefix)
				at += (size_t)snprintf(names + at, sizeof(names) - at, "%s%s", at ? ", " : "",
						       kinds[i]->name);
	}
	return names;
}

const struct kind *kind_at(size_t i)
{
	return i < NKINDS ? kinds[i] : NULL;
}

/* NAME of PREFIX/NAME: [A-Za-z0-9._-], 1..128 characters, not starting with '.' */
static int name_part_valid(const char *s)
{
	size_t n = strlen(s);

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

int kind_log_name_valid(const char *name)
{
	for (size_t i = 0; i < NKINDS; i++) {
		const char *p = kinds[i]->log_prefix;
		if (p ? !strncmp(name, p, strlen(p)) && name_part_valid(name + strlen(p)) : !strcmp(name, kinds[i]->name))
			return 1;
	}
	return 0;
}
