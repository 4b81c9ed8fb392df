/*
 * zpar.c - the "zlib on N threads" baseline of make bench.
 *
 *   bench/zpar [-p N] [-c] SEGMENT...
 *
 * Inflates every block (gzip member) of aggr segment files on N threads
 * (default 2) and throws the output away, so that aggr's scans can be
 * measured against the cost of inflating the same blocks with zlib alone.
 * Members are found through the block_len of their 'AG' FEXTRA subfield
 * (aggr-format(5)), as aggr's own readers do, so no thread has to inflate
 * to find where the next block starts.  zlib checks each member's CRC-32
 * and ISIZE.  -c also counts the newlines (records) and prints
 * "BLOCKS RAW_BYTES LINES" on stdout, which the interop test uses as an
 * independent record count.
 *
 *   bench/zpar -z LEVEL [-p N] FILE >OUT
 *
 * The other direction, for the ingest side: cuts FILE into blocks of about
 * 128 KiB of whole lines as aggr does (AGGR_BLOCK_BYTES), deflates each
 * into an independent gzip member (no shared dictionary, as aggr's blocks)
 * at LEVEL on N threads, and writes the members in order: the ceiling of
 * what aggr's block format allows on N threads, without any JSON work.
 *
 * -L uses libdeflate instead of zlib, in both directions: the library aggr
 * itself deflates and inflates its blocks with, so the pair of baselines
 * tells the format's limit with either library.
 *
 * Build: cc -O2 -pthread -o bench/zpar bench/zpar.c -ldeflate -lz
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zlib.h>

struct member {
	const unsigned char *p;
	uint32_t len;
};

static struct member *members;
static size_t n_members, cap_members;
static atomic_size_t next_member;
static int count_lines;
static int use_libdeflate;

struct result {
	uint64_t raw, lines;
	int failed;
};

static uint32_t get_u32le(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int add_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "zpar: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (st.st_size == 0) {
		close(fd);
		return 0;
	}
	const unsigned char *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		fprintf(stderr, "zpar: %s: mmap: %s\n", path, strerror(errno));
		return -1;
	}
	size_t size = (size_t)st.st_size, at = 0;
	while (at < size) {
		const unsigned char *h = m + at;
		if (size - at < 68 || h[0] != 0x1f || h[1] != 0x8b || !(h[3] & 4) ||
		    h[12] != 'A' || h[13] != 'G') {
			fprintf(stderr, "zpar: %s: byte %zu: not an aggr block\n", path, at);
			return -1;
		}
		uint32_t len = get_u32le(h + 20);
		if (len < 68 || len > size - at) {
			fprintf(stderr, "zpar: %s: byte %zu: bad block length %u\n", path, at, len);
			return -1;
		}
		if (n_members == cap_members) {
			cap_members = cap_members ? 2 * cap_members : 4096;
			members = realloc(members, cap_members * sizeof *members);
			if (!members) {
				fprintf(stderr, "zpar: out of memory\n");
				exit(1);
			}
		}
		members[n_members].p = h;
		members[n_members].len = len;
		n_members++;
		at += len;
	}
	return 0;
}

static void count_out(struct result *r, const unsigned char *out, size_t got)
{
	r->raw += got;
	if (count_lines)
		for (const unsigned char *q = out; (q = memchr(q, '\n', (size_t)(out + got - q))); q++)
			r->lines++;
}

/* libdeflate inflates a member in one call, into room for its ISIZE */
static void *ld_worker(void *arg)
{
	struct result *r = arg;
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	unsigned char *out = NULL;
	size_t cap = 0;
	if (!d) {
		r->failed = 1;
		return NULL;
	}
	for (;;) {
		size_t i = atomic_fetch_add(&next_member, 1), got;
		if (i >= n_members)
			break;
		size_t isize = get_u32le(members[i].p + members[i].len - 4);
		if (isize + 1 > cap) {
			cap = isize + 1;
			if (!(out = realloc(out, cap))) {
				fprintf(stderr, "zpar: out of memory\n");
				exit(1);
			}
		}
		if (libdeflate_gzip_decompress(d, members[i].p, members[i].len, out, cap, &got) != LIBDEFLATE_SUCCESS) {
			fprintf(stderr, "zpar: block %zu: libdeflate: damaged member\n", i);
			r->failed = 1;
			break;
		}
		count_out(r, out, got);
	}
	free(out);
	libdeflate_free_decompressor(d);
	return NULL;
}

static void *worker(void *arg)
{
	struct result *r = arg;
	if (use_libdeflate)
		return ld_worker(arg);
	static _Thread_local unsigned char out[1 << 18];
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, 15 + 16) != Z_OK) {
		r->failed = 1;
		return NULL;
	}
	for (;;) {
		size_t i = atomic_fetch_add(&next_member, 1);
		if (i >= n_members)
			break;
		inflateReset(&zs);
		zs.next_in = (unsigned char *)members[i].p;
		zs.avail_in = members[i].len;
		int rc;
		do {
			zs.next_out = out;
			zs.avail_out = sizeof out;
			rc = inflate(&zs, Z_NO_FLUSH);
			if (rc != Z_OK && rc != Z_STREAM_END) {
				fprintf(stderr, "zpar: block %zu: %s\n", i, zs.msg ? zs.msg : "inflate error");
				r->failed = 1;
				break;
			}
			count_out(r, out, sizeof out - zs.avail_out);
		} while (rc != Z_STREAM_END && (zs.avail_in || !zs.avail_out));
		if (rc == Z_OK) {
			fprintf(stderr, "zpar: block %zu: truncated\n", i);
			r->failed = 1;
		}
	}
	inflateEnd(&zs);
	return NULL;
}

/* ---- -z: deflate blocks of lines on N threads ---- */

#define Z_WINDOW 64 /* blocks compressed per round; bounds memory */

struct zjob {
	const unsigned char *in;
	size_t len;
	unsigned char *out;
	size_t out_len;
};

static struct zjob zjobs[Z_WINDOW];
static size_t zjobs_n;
static atomic_size_t znext;
static int zlevel;

/* Job j as one gzip member, with libdeflate (c) or zlib (zs). Returns its
 * size, 0 when the library fails. */
static size_t zjob_deflate(const struct zjob *j, struct libdeflate_compressor *c, z_stream *zs)
{
	if (c)
		return libdeflate_gzip_compress(c, j->in, j->len, j->out, libdeflate_gzip_compress_bound(c, j->len));
	deflateReset(zs);
	zs->next_in = (unsigned char *)j->in;
	zs->avail_in = (uInt)j->len;
	zs->next_out = j->out;
	zs->avail_out = (uInt)deflateBound(zs, j->len);
	return deflate(zs, Z_FINISH) == Z_STREAM_END ? zs->total_out : 0;
}

static void *zworker(void *arg)
{
	int *failed = arg;
	struct libdeflate_compressor *c = NULL;
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (use_libdeflate ? !(c = libdeflate_alloc_compressor(zlevel))
			   : deflateInit2(&zs, zlevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		*failed = 1;
		return NULL;
	}
	for (;;) {
		size_t i = atomic_fetch_add(&znext, 1);
		if (i >= zjobs_n)
			break;
		struct zjob *j = &zjobs[i];
		if (!(j->out_len = zjob_deflate(j, c, &zs))) {
			*failed = 1;
			break;
		}
	}
	if (c)
		libdeflate_free_compressor(c);
	else
		deflateEnd(&zs);
	return NULL;
}

static int deflate_file(const char *path, int threads)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "zpar: %s: %s\n", path, strerror(errno));
		return 1;
	}
	size_t size = (size_t)st.st_size, at = 0, block = 128 * 1024;
	const unsigned char *m = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (m == MAP_FAILED) {
		fprintf(stderr, "zpar: %s: mmap: %s\n", path, strerror(errno));
		return 1;
	}
	for (int k = 0; k < Z_WINDOW; k++)
		if (!(zjobs[k].out = malloc(2 * block + 65536))) {
			fprintf(stderr, "zpar: out of memory\n");
			return 1;
		}
	while (at < size) {
		/* a round: up to Z_WINDOW blocks, each ending at a newline */
		for (zjobs_n = 0; zjobs_n < Z_WINDOW && at < size; zjobs_n++) {
			size_t end = at + block < size ? at + block : size;
			const unsigned char *nl = end < size ? memchr(m + end, '\n', size - end) : NULL;
			end = nl ? (size_t)(nl - m) + 1 : size;
			if (end - at > 2 * block) { /* one huge line: cut it anyway */
				end = at + 2 * block;
			}
			zjobs[zjobs_n].in = m + at;
			zjobs[zjobs_n].len = end - at;
			at = end;
		}
		atomic_store(&znext, 0);
		pthread_t tid[64];
		int failed[64] = {0};
		for (int t = 0; t < threads; t++)
			if (pthread_create(&tid[t], NULL, zworker, &failed[t])) {
				fprintf(stderr, "zpar: cannot start a thread\n");
				return 1;
			}
		for (int t = 0; t < threads; t++) {
			pthread_join(tid[t], NULL);
			if (failed[t]) {
				fprintf(stderr, "zpar: deflate failed\n");
				return 1;
			}
		}
		for (size_t k = 0; k < zjobs_n; k++)
			if (fwrite(zjobs[k].out, 1, zjobs[k].out_len, stdout) != zjobs[k].out_len) {
				fprintf(stderr, "zpar: write error: %s\n", strerror(errno));
				return 1;
			}
	}
	if (fflush(stdout)) {
		fprintf(stderr, "zpar: write error: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int threads = 2, opt;
	while ((opt = getopt(argc, argv, "p:cz:L")) != -1) {
		if (opt == 'p' && atoi(optarg) > 0 && atoi(optarg) <= 64)
			threads = atoi(optarg);
		else if (opt == 'c')
			count_lines = 1;
		else if (opt == 'L')
			use_libdeflate = 1;
		else if (opt == 'z' && atoi(optarg) >= 1 && atoi(optarg) <= 9)
			zlevel = atoi(optarg);
		else {
			fprintf(stderr, "usage: zpar [-L] [-p THREADS] [-c] SEGMENT...\n"
					"       zpar [-L] -z LEVEL [-p THREADS] FILE >OUT\n");
			return 2;
		}
	}
	if (zlevel) {
		if (optind + 1 != argc) {
			fprintf(stderr, "usage: zpar [-L] -z LEVEL [-p THREADS] FILE >OUT\n");
			return 2;
		}
		return deflate_file(argv[optind], threads);
	}
	for (int i = optind; i < argc; i++)
		if (add_file(argv[i]))
			return 1;
	pthread_t tid[64];
	struct result res[64];
	memset(res, 0, sizeof res);
	for (int t = 0; t < threads; t++)
		if (pthread_create(&tid[t], NULL, worker, &res[t])) {
			fprintf(stderr, "zpar: cannot start a thread\n");
			return 1;
		}
	struct result tot = {0, 0, 0};
	for (int t = 0; t < threads; t++) {
		pthread_join(tid[t], NULL);
		tot.raw += res[t].raw;
		tot.lines += res[t].lines;
		tot.failed |= res[t].failed;
	}
	if (tot.failed)
		return 1;
	if (count_lines)
		printf("%zu %llu %llu\n", n_members, (unsigned long long)tot.raw,
		       (unsigned long long)tot.lines);
	return 0;
}
