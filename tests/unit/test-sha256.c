/* SHA-256: the FIPS 180-4 / NIST CAVS example vectors, the padding
 * boundaries, and every way of splitting a message across updates. */
#include <stdlib.h>

#include "sha256.h"
#include "unit.h"

static const char *hex_of(const void *p, size_t n)
{
	static char out[SHA256_HEX_LEN + 1];
	unsigned char d[SHA256_LEN];
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, p, n);
	sha256_final(&c, d);
	sha256_hex(d, out);
	return out;
}

static const char *hex_str(const char *s)
{
	return hex_of(s, strlen(s));
}

int main(void)
{
	unit_name = "sha256";

	/* FIPS 180-4 examples (NIST "SHA256.pdf") and the CAVS long message */
	CHECK_STR(hex_str(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_STR(hex_str("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_STR(hex_str("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	CHECK_STR(hex_str("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopq"
			  "klmnopqrlmnopqrsmnopqrstnopqrstu"),
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");

	/* one million 'a': in one update, and in uneven pieces */
	{
		size_t n = 1000000;
		char *a = malloc(n);
		unsigned char d[SHA256_LEN];
		char h[SHA256_HEX_LEN + 1];
		struct sha256 c;
		memset(a, 'a', n);
		CHECK_STR(hex_of(a, n), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
		sha256_init(&c);
		for (size_t at = 0, step = 1; at < n; at += step, step = step * 3 % 1000 + 1)
			sha256_update(&c, a + at, step < n - at ? step : n - at);
		sha256_final(&c, d);
		sha256_hex(d, h);
		CHECK_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
		free(a);
	}

	/* 130 bytes (i * 37 + 11) mod 256: its prefixes around the padding
	 * boundaries (55/56/57 bytes: the length still fits the last block or
	 * needs one more; 63/64/65: a whole block), digests from Python's hashlib */
	unsigned char m[130];
	for (size_t i = 0; i < sizeof(m); i++)
		m[i] = (unsigned char)((i * 37 + 11) & 255);
	static const struct { size_t n; const char *hex; } pre[] = {
		{1, "e7cf46a078fed4fafd0b5e3aff144802b853f8ae459a4f0c14add3314b7cc3a6"},
		{55, "2900465fcb533e05a158fd2b3be0e5e3b03740d83060aa3580e0d98a96bf2384"},
		{56, "31454ff48ef36af2f08fd511bdc37d9d5855ac23e992e5ff5445cb6b7674a674"},
		{57, "bcc0a5d3791b985b7550e04ca660a6c63a589ba1edd2283c8e110e5b515df124"},
		{63, "5f6401b96532c36de4e65beec0409b69b1d181864c8009b7a04f43e5d56350d1"},
		{64, "94eb5de4943613fd048dc93393ab06877405faa39c11f53e9386083339833e7e"},
		{65, "fc518669b6eb4b4dd91827ecacef86689c725bd5bab888fd3b26dbb196eec954"},
		{119, "b0dc41b1a384e2f1203f0351b38fbeaafceef577ce1191d5bfc25da39f721eae"},
		{120, "5df24dd802ac26132ce608dcb5f09841eef039ee0f152acf98d26d17fe4e88e6"},
		{128, "0aedd4856f8eba0963627336ad5144a9a7dbe12498e6066f0165fc97d8ddee4c"},
		{130, "d35b74124cb85cfac62bfeaf3a9771efab3e0ef88fc43702c35a6efe09467cc1"},
	};
	for (size_t i = 0; i < sizeof(pre) / sizeof(*pre); i++)
		CHECK_STR(hex_of(m, pre[i].n), pre[i].hex);

	/* streaming: split at every position (an empty update on either side
	 * included), then three pieces, then a byte at a time */
	const char *want = "d35b74124cb85cfac62bfeaf3a9771efab3e0ef88fc43702c35a6efe09467cc1";
	int split_bad = 0, three_bad = 0;
	for (size_t k = 0; k <= sizeof(m); k++) {
		struct sha256 c;
		unsigned char d[SHA256_LEN];
		char h[SHA256_HEX_LEN + 1];
		sha256_init(&c);
		sha256_update(&c, m, k);
		sha256_update(&c, m + k, sizeof(m) - k);
		sha256_final(&c, d);
		sha256_hex(d, h);
		if (strcmp(h, want)) {
			printf("not ok split at %zu: %s\n", k, h);
			split_bad++;
		}
		for (size_t j = k; j <= sizeof(m); j += 13) {
			sha256_init(&c);
			sha256_update(&c, m, k);
			sha256_update(&c, NULL, 0);
			sha256_update(&c, m + k, j - k);
			sha256_update(&c, m + j, sizeof(m) - j);
			sha256_final(&c, d);
			sha256_hex(d, h);
			three_bad += strcmp(h, want) != 0;
		}
	}
	CHECK(split_bad == 0);
	CHECK(three_bad == 0);
	{
		struct sha256 c;
		unsigned char d[SHA256_LEN];
		char h[SHA256_HEX_LEN + 1];
		sha256_init(&c);
		for (size_t i = 0; i < sizeof(m); i++)
			sha256_update(&c, m + i, 1);
		sha256_final(&c, d);
		sha256_hex(d, h);
		CHECK_STR(h, want);
		/* a context is reusable after sha256_init */
		sha256_init(&c);
		sha256_update(&c, "abc", 3);
		sha256_final(&c, d);
		sha256_hex(d, h);
		CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	}
	return unit_done();
}
