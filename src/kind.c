#include "kind.h"

#include <string.h>

static const struct kind *const kinds[] = {
	&kind_flows,
	&kind_counters,
	&kind_events,
	&kind_sessions,
	&kind_stream,   /* found by its log's kind; not an ingest KIND */
};

const struct kind *kind_find(const char *name)
{
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		if (!strcmp(kinds[i]->name, name))
			return kinds[i];
	return NULL;
}

const char *kind_names(void)
{
	return "flows, counters, events, sessions";
}

const struct kind *kind_at(size_t i)
{
	return i < sizeof(kinds) / sizeof(*kinds) ? kinds[i] : NULL;
}
