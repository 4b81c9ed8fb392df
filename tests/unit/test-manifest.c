/* MANIFEST lines with signs where counts and offsets have none are damage */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log-int.h"
#include "unit.h"

static char dir[64];

/* Write body plus its crc line as DIR/flows/MANIFEST; open it for reading. */
static int open_with(const char *body)
{
	char path[128];
	struct buf b;
	struct log *l = NULL;
	int rc;

	buf_init(&b);
	buf_adds(&b, body);
	buf_addf(&b, "crc %08x\n", (unsigned)crc32_of(b.data, b.len));
	snprintf(path, sizeof(path), "%s/flows/MANIFEST", dir);
	FILE *f = fopen(path, "w");
	fwrite(b.data, 1, b.len, f);
	fclose(f);
	buf_free(&b);
	err_clear();
	rc = log_open_read(dir, "flows", &l);
	log_close(l);
	return rc;
}

int main(void)
{
	char sub[96];

	unit_name = "unit manifest";
	snprintf(dir, sizeof(dir), "/tmp/aggr-unit-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(sub, sizeof(sub), "%s/flows", dir);
	mkdir(sub, 0700);
	CHECK(open_with("aggr-manifest 1\nkind flows\nnext_offset 5\n") == 0);
	CHECK(open_with("aggr-manifest 1\nkind flows\nnext_offset -2\n") == EX_CORRUPT);
	CHECK_STR(err_msg(), "flows/MANIFEST: line 3: bad next_offset");
	CHECK(open_with("aggr-manifest 1\nkind flows\nnext_offset 0\nsegment -1 active\n") == EX_CORRUPT);
	CHECK_STR(err_msg(), "flows/MANIFEST: line 4: bad segment line");
	CHECK(open_with("aggr-manifest 1\nkind flows\nnext_offset 0\nsegment 00000000000000000000 sealed "
			"records -1 blocks 1 bytes 1 min_key 0 max_key 0 min_ingest 0 max_ingest 0\n") == EX_CORRUPT);
	CHECK(open_with("aggr-manifest 1\nkind flows\nnext_offset 9\n"
			"crc 00000000\n") == EX_CORRUPT);
	snprintf(sub, sizeof(sub), "rm -rf %s", dir);
	CHECK(system(sub) == 0);
	return unit_done();
}
