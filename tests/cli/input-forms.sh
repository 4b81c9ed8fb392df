# Helpers for input-forms.t, sourced by each case: . "$TESTS/cli/input-forms.sh"
#
# One input, written once as a template, goes to "aggr ingest flows" and to
# "aggr stream publish": a flows record and a stream event each fit in the
# template's placeholders, which sit on lines of their own or last on a
# line, so both inputs have the same lines and every error the reader or
# the JSON parser reports has the same line and column for both.
#
#   @K@"TEXT"@Z@   a member whose string value is TEXT, stored and shown:
#                  flows' src_app, a stream event's event.name
#   @B@            the record's other members, on one line
shopt -u patsub_replacement 2>/dev/null

flows_k='"src_app":'
flows_z=''
flows_b='"dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":2'
stream_k='"event":{"name":'
stream_z=',"version":1}'
stream_b='"system":{"id":"i","name":"n","time":"2022-01-15 22:00:00","timezone":"UTC"},"trigger":{"type":"t","name":"n"},"payload":{}'

# fill KIND TEMPLATE: the template with KIND's members in place
fill() {
	local k=${1}_k z=${1}_z b=${1}_b t=$2
	t=${t//@K@/${!k}}
	t=${t//@Z@/${!z}}
	printf '%s' "${t//@B@/${!b}}"
}

# both TEMPLATE [INGEST-OPTION...]: the input on standard input of
# "aggr ingest flows" and then of "aggr stream publish s", each into a new
# data directory (through $FILTER when set, e.g. FILTER=gzip). Prints per
# command its exit status and the TEXTs stored, in order; their messages
# go to stderr as they are.
both() {
	local t=$1 rc
	shift
	rm -rf ingest.d stream.d
	fill flows "$t" | ${FILTER:-cat} | AGGR_DIR=$PWD/ingest.d aggr ingest flows "$@"
	rc=$?
	printf 'ingest: exit %s:' "$rc"
	AGGR_DIR=$PWD/ingest.d aggr cat flows 2>/dev/null | jq -j '" " + .src_app'
	echo
	fill stream "$t" | ${FILTER:-cat} | AGGR_DIR=$PWD/stream.d aggr stream publish s --producer p > /dev/null
	rc=$?
	printf 'stream: exit %s:' "$rc"
	AGGR_DIR=$PWD/stream.d aggr cat streams/s 2>/dev/null | jq -j '" " + .event.name'
	echo
}
