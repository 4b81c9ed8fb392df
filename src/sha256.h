/* sha256.h: SHA-256 (FIPS 180-4), for content identities such as
 * --batch-id auto. Written here to keep the dependencies at zlib. */
#ifndef AGGR_SHA256_H
#define AGGR_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32          /* digest bytes */
#define SHA256_HEX_LEN 64      /* digest as lowercase hex, without the NUL */

struct sha256 {
	uint32_t h[8];             /* chaining state */
	uint64_t bytes;            /* message length so far */
	unsigned char block[64];   /* a partial block: bytes % 64 of them */
};

/*
 * sha256_init() starts a digest; sha256_update() adds n bytes (any split of
 * a message gives the digest of the whole; n may be 0, p may then be NULL);
 * sha256_final() writes the 32-byte digest to out and leaves ctx unusable
 * until the next sha256_init(). Messages up to 2^61 - 1 bytes. No allocation,
 * no failure.
 */
void sha256_init(struct sha256 *ctx);
void sha256_update(struct sha256 *ctx, const void *p, size_t n);
void sha256_final(struct sha256 *ctx, unsigned char out[SHA256_LEN]);

/* The digest as 64 lowercase hex digits and a NUL. */
void sha256_hex(const unsigned char d[SHA256_LEN], char out[SHA256_HEX_LEN + 1]);

#endif
