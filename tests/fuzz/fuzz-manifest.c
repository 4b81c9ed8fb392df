/* fuzz-manifest: the input as DIR/flows/MANIFEST, then log_open_read, and
 * on success log_check (which scans every block). Must return 0 or an error
 * code, never crash.
 *
 * DIR is made once per process, in $TMPDIR, holding a real flows log (two
 * sealed segments and an active one, small blocks) so that a MANIFEST naming
 * its segments loads real index files and blocks. Each input is tried as it
 * is, and with its last "crc" line replaced by the right one, so mutations
 * get past the CRC check to the parser. AGGR_FUZZ_KEEP=1 keeps DIR and
 * prints its path (mkcorpus.sh takes the fixture's MANIFEST from it). */
#include "fuzz.h"

#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <unistd.h>

#include "log-int.h"

static char dir[4096], manifest[4200];

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(p);
}

static void cleanup(void)
{
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void die(const char *what)
{
	fprintf(stderr, "fuzz-manifest: fixture: %s: %s\n", what, err_msg());
	abort();
}

static void make_fixture(void)
{
	const char *tmp = getenv("TMPDIR");
	struct log_config cfg;
	struct log *l;
	char line[256];

	snprintf(dir, sizeof(dir), "%s/aggr-fuzz-manifest.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("fuzz-manifest: mkdtemp");
		abort();
	}
	if (!getenv("AGGR_FUZZ_KEEP"))
		atexit(cleanup);
	setenv("AGGR_NOW", "1642284000", 1);
	if (log_config_init(&cfg, "flows", 0, 0))
		die("config");
	cfg.block_bytes = 256;
	cfg.segment_bytes = 700;
	cfg.level = 6;
	if (log_open_write(dir, "flows", &cfg, 0, &l))
		die("open");
	for (int run = 0; run < 5; run++) {
		log_begin(l, INT64_C(1642284000000000) + run * INT64_C(1000000));
		for (int i = 0; i < 6; i++) {
			int n = snprintf(line, sizeof(line),
					 "{\"src_app\":\"app%d\",\"dest_app\":\"svc%d\",\"vpc_id\":\"vpc-%d\","
					 "\"hour\":%d,\"bytes_tx\":%d,\"bytes_rx\":%d}",
					 i % 3, run, i % 2, run * 10 + i, 100 * i, 300 * i + run);
			if (log_append(l, line, (size_t)n, run * 10 + i, NULL, 0))
				die("append");
		}
		if (log_commit(l))
			die("commit");
	}
	log_close(l);
	snprintf(manifest, sizeof(manifest), "%s/flows/MANIFEST", dir);
	if (getenv("AGGR_FUZZ_KEEP")) {
		/* the fixture's own MANIFEST, before inputs overwrite it */
		struct buf b;
		char copy[4300];
		buf_init(&b);
		snprintf(copy, sizeof(copy), "%s/MANIFEST.fixture", dir);
		int fd = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (read_file(manifest, &b, 1u << 20) < 0 || fd < 0 || write_full(fd, b.data, b.len) < 0)
			die("copy MANIFEST");
		close(fd);
		buf_free(&b);
		printf("%s\n", dir);
	}
}

static void try_manifest(const unsigned char *p, size_t n)
{
	int fd = open(manifest, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write_full(fd, p, n) < 0) {
		perror("fuzz-manifest: cannot write MANIFEST");
		abort();
	}
	close(fd);

	struct log *l = NULL;
	err_clear();
	int rc = log_open_read(dir, "flows", &l);
	FUZZ_ASSERT(rc == 0 || rc == EX_CORRUPT || rc == EX_FAIL || rc == EX_PERM);
	if (rc) {
		FUZZ_ASSERT(l == NULL && err_msg()[0]);
		err_clear();
		return;
	}
	FUZZ_ASSERT(l != NULL);
	for (size_t i = 0; i < l->nseg; i++) {
		const struct log_seg *s = &l->seg[i];
		FUZZ_ASSERT(i == 0 || s->base > l->seg[i - 1].base);
		FUZZ_ASSERT(s->data_end <= s->data_size && s->idx_end <= s->idx_size);
		FUZZ_ASSERT(s->sealed || i + 1 == l->nseg);
	}
	struct log_check_stats st;
	rc = log_check(l, &st);
	FUZZ_ASSERT(rc == 0 || rc == EX_CORRUPT || rc == EX_FAIL);
	log_close(l);
	err_clear();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!dir[0])
		make_fixture();
	try_manifest(data, size);

	/* again with a correct last line "crc XXXXXXXX" */
	size_t body = size;
	if (body && data[body - 1] == '\n')
		body--;
	while (body && data[body - 1] != '\n')
		body--;
	if (!(size - body >= 4 && !memcmp(data + body, "crc ", 4)))
		body = size;
	unsigned char *fixed = malloc(body + 1 + 16);
	FUZZ_ASSERT(fixed != NULL);
	memcpy(fixed, data, body);
	size_t n = body;
	if (n && fixed[n - 1] != '\n')
		fixed[n++] = '\n';
	char crc[16];
	snprintf(crc, sizeof(crc), "crc %08x\n", (unsigned)crc32_of(fixed, n));
	memcpy(fixed + n, crc, strlen(crc));
	n += strlen(crc);
	try_manifest(fixed, n);
	free(fixed);
	return 0;
}
