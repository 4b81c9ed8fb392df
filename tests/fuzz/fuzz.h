/* fuzz.h: shared by the fuzz harnesses, the replay driver and mkseed
 *
 * Each tests/fuzz/fuzz-NAME.c defines LLVMFuzzerTestOneInput. Built with
 * clang -fsanitize=fuzzer it is a libFuzzer target (make fuzz); linked with
 * replay-main.c it replays a corpus with any compiler (make check).
 * A harness must accept every input: only a property the code promises may
 * abort, through FUZZ_ASSERT, so that both drivers report it as a crash.
 */
#ifndef AGGR_FUZZ_H
#define AGGR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

#endif
