# Helpers for events-state.t, sourced by each case: ". "$TESTS/cli/events-state.sh" NAME".
# NAME is a scenario: its own data directory and its own list of ids.
# Segments of one block each, so retention deletes runs one by one.
T=1642284000
export AGGR_DIR=$PWD/$1 AGGR_SEGMENT_BYTES=1
ids=$PWD/$1.ids
touch "$ids"
# at SECS CMD...: run aggr CMD at T + SECS
at() { local d=$1; shift; AGGR_NOW=$((T + d)) aggr "$@"; }
# add NAME SECS [OPTION...]: add an event tagged NAME at T + SECS, keep its id
add() {
	local n=$1 d=$2 out
	shift 2
	out=$(at "$d" events add --tag "$n" "$@") || return
	printf '%s %s\n' "$n" "$(printf '%s\n' "$out" | jq -r ._id)" >>"$ids"
}
# id NAME: the id of event NAME
id() { awk -v n="$1" '$1 == n { print $2 }' "$ids"; }
# names: stdin with every known id replaced by its event's name
names() { sed -e 's/^//' $(awk '{ printf " -e s/%s/%s/g", $2, $1 }' "$ids"); }
