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
 * Build: cc -O2 -pthread -o bench/zpar bench/zpar.c -lz
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
#include <zlib.h>

struct member {
	const unsigned char *p;
	uint32_t len;
};

static struct member *members;
static size_t n_members, cap_members;
static atomic_size_t next_member;
static int count_lines;

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

static void *worker(void *arg)
{
	struct result *r = arg;
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
			size_t got = sizeof out - zs.avail_out;
			r->raw += got;
			if (count_lines)
				for (const unsigned char *q = out; (q = memchr(q, '\n', (size_t)(out + got - q))); q++)
					r->lines++;
		} while (rc != Z_STREAM_END && (zs.avail_in || !zs.avail_out));
		if (rc == Z_OK) {
			fprintf(stderr, "zpar: block %zu: truncated\n", i);
			r->failed = 1;
		}
	}
	inflateEnd(&zs);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 2, opt;
	while ((opt = getopt(argc, argv, "p:c")) != -1) {
		if (opt == 'p' && atoi(optarg) > 0 && atoi(optarg) <= 64)
			threads = atoi(optarg);
		else if (opt == 'c')
			count_lines = 1;
		else {
			fprintf(stderr, "usage: zpar [-p THREADS] [-c] SEGMENT...\n");
			return 2;
		}
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
