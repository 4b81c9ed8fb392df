/* hmap.h: byte-string keys to dense indexes 0..n-1, in insertion order */
#ifndef AGGR_HMAP_H
#define AGGR_HMAP_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct hmap {
	uint32_t *slots;        /* index + 1; 0 is empty */
	size_t mask;
	size_t n;
	size_t *koff;           /* key i at keys.data + koff[i] */
	uint32_t *klen;
	uint64_t *hash;
	struct buf keys;
};

void hmap_init(struct hmap *m);
void hmap_free(struct hmap *m);
/* Index of key; when new, it is added as index m->n - 1 and *added is 1. */
size_t hmap_put(struct hmap *m, const void *key, size_t len, int *added);
/* Index of key, or SIZE_MAX when it is not in m (m is not changed). */
size_t hmap_get(const struct hmap *m, const void *key, size_t len);
static inline const char *hmap_key(const struct hmap *m, size_t i, size_t *len)
{
	*len = m->klen[i];
	return m->keys.data + m->koff[i];
}

#endif
