/* unit.h: a minimal test harness; each CHECK counts one assertion */
#ifndef AGGR_UNIT_H
#define AGGR_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_pass, unit_fail;
static const char *unit_name = "unit";

#define CHECK(cond) do { \
	if (cond) unit_pass++; \
	else { unit_fail++; printf("not ok %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_STR(got, want) do { \
	const char *g_ = (got), *w_ = (want); \
	if (g_ && w_ && !strcmp(g_, w_)) unit_pass++; \
	else { unit_fail++; printf("not ok %s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
				   g_ ? g_ : "(null)", w_ ? w_ : "(null)"); } \
} while (0)

static inline int unit_done(void)
{
	printf("%s: %d passed, %d failed\n", unit_name, unit_pass, unit_fail);
	return unit_fail ? 1 : 0;
}

#endif
