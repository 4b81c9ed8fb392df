#!/bin/sh
# Make sure the build dependencies are present: install them with apt-get when
# we are root or have passwordless sudo; otherwise print the exact command.
missing=""
[ -f /usr/include/zlib.h ] || missing="$missing zlib1g-dev"
[ -f /usr/include/libdeflate.h ] || missing="$missing libdeflate-dev"
[ -f /usr/include/jsmn.h ] || missing="$missing libjsmn-dev"
[ -z "$missing" ] && exit 0
cmd="apt-get install -y$missing"
if [ "$(id -u)" = 0 ]; then
	echo "aggr: installing build dependencies:$missing" >&2
	apt-get install -y $missing >&2 || { apt-get update >&2 && apt-get install -y $missing >&2; } && exit 0
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	echo "aggr: installing build dependencies:$missing" >&2
	sudo -n $cmd >&2 || { sudo -n apt-get update >&2 && sudo -n $cmd >&2; } && exit 0
fi
echo "aggr: missing build dependencies:$missing" >&2
echo "aggr: install them with: sudo $cmd" >&2
exit 1
