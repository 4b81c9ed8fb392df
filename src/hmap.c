#include "hmap.h"

#include <stdlib.h>
#include <string.h>

static uint64_t hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

void hmap_init(struct hmap *m)
{
	memset(m, 0, sizeof(*m));
	buf_init(&m->keys);
}

void hmap_free(struct hmap *m)
{
	free(m->slots);
	free(m->koff);
	free(m->klen);
	free(m->hash);
	buf_free(&m->keys);
	memset(m, 0, sizeof(*m));
}

static void grow(struct hmap *m)
{
	size_t cap = m->mask ? (m->mask + 1) * 2 : 64;

	free(m->slots);
	m->slots = xcalloc(cap, sizeof(*m->slots));
	m->mask = cap - 1;
	for (size_t i = 0; i < m->n; i++) {
		size_t s = m->hash[i] & m->mask;
		while (m->slots[s])
			s = (s + 1) & m->mask;
		m->slots[s] = (uint32_t)i + 1;
	}
	m->koff = xrealloc(m->koff, sizeof(*m->koff) * cap);
	m->klen = xrealloc(m->klen, sizeof(*m->klen) * cap);
	m->hash = xrealloc(m->hash, sizeof(*m->hash) * cap);
}

size_t hmap_get(const struct hmap *m, const void *key, size_t len)
{
	uint64_t h = hash_bytes(key, len);

	if (!m->mask)
		return SIZE_MAX;
	for (size_t s = h & m->mask; m->slots[s]; s = (s + 1) & m->mask) {
		size_t i = m->slots[s] - 1;
		if (m->hash[i] == h && m->klen[i] == len && !memcmp(m->keys.data + m->koff[i], key, len))
			return i;
	}
	return SIZE_MAX;
}

size_t hmap_put(struct hmap *m, const void *key, size_t len, int *added)
{
	uint64_t h = hash_bytes(key, len);

	if (!m->mask || (m->n + 1) * 4 > (m->mask + 1) * 3)
		grow(m);
	size_t s = h & m->mask;
	while (m->slots[s]) {
		size_t i = m->slots[s] - 1;
		if (m->hash[i] == h && m->klen[i] == len && !memcmp(m->keys.data + m->koff[i], key, len)) {
			*added = 0;
			return i;
		}
		s = (s + 1) & m->mask;
	}
	size_t i = m->n++;
	m->slots[s] = (uint32_t)i + 1;
	m->koff[i] = m->keys.len;
	m->klen[i] = (uint32_t)len;
	m->hash[i] = h;
	buf_add(&m->keys, key, len);
	*added = 1;
	return i;
}
