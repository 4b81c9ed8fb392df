#!/bin/sh
# Make sure clang can build libFuzzer targets (make fuzz): install clang and
# its compiler-rt (libFuzzer, sanitizers) with apt-get when we are root or
# have passwordless sudo; otherwise print the exact command.
# usage: sh tests/fuzz/deps.sh [CLANG]
cc=${1:-clang}
probe() {
	dir=$(mktemp -d) || return 1
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' >"$dir/t.c"
	"$cc" -fsanitize=fuzzer,address,undefined -o "$dir/t" "$dir/t.c" >/dev/null 2>&1
	rc=$?
	rm -rf "$dir"
	return $rc
}
probe && exit 0
pkgs="clang libclang-rt-dev"
cmd="apt-get install -y $pkgs"
if [ "$(id -u)" = 0 ]; then
	echo "aggr: installing fuzzing dependencies: $pkgs" >&2
	{ apt-get install -y $pkgs >&2 || { apt-get update >&2 && apt-get install -y $pkgs >&2; }; } && probe && exit 0
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	echo "aggr: installing fuzzing dependencies: $pkgs" >&2
	{ sudo -n $cmd >&2 || { sudo -n apt-get update >&2 && sudo -n $cmd >&2; }; } && probe && exit 0
fi
echo "aggr: $cc cannot build libFuzzer targets (-fsanitize=fuzzer,address,undefined)" >&2
echo "aggr: install them with: sudo $cmd" >&2
exit 1
