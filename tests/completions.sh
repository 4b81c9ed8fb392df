#!/usr/bin/env bash
# Tests for completions/aggr.bash: simulate COMP_WORDS/COMP_CWORD as bash
# would set them for a command line, call the completion function, and
# compare COMPREPLY with the exact expected words, in order.
#
# Prints "ok NAME" or "not ok NAME" per assertion on stdout (details of a
# failure and a summary on stderr); exits 1 if any assertion failed.
#
# Usage: bash tests/completions.sh

export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
# shellcheck source=../completions/aggr.bash
. "$root/completions/aggr.bash" || { echo "not ok source completions/aggr.bash"; exit 1; }

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
: > a.json
: > b.json.gz
: > 'with space.json'
mkdir sub

passed=0 failed=0

# check NAME 'EXPECTED WORDS' WORD...   (the last WORD is the one under the cursor)
# Words are compared in order, except for file names (check_files), which
# compgen returns in directory order and bash sorts before showing them.
check()
{
    _check cat "$@"
}
check_files()
{
    _check sort "$@"
}
_check()
{
    local order=$1 name=$2 expected=$3
    shift 3
    COMP_WORDS=("$@")
    COMP_CWORD=$(( $# - 1 ))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _aggr aggr "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    local got
    got=$( (( ${#COMPREPLY[@]} )) && printf '%s\n' "${COMPREPLY[@]}" | $order | tr '\n' '|')
    got=${got%|}
    if [[ $got == "$expected" ]]; then
        echo "ok $name"
        passed=$(( passed + 1 ))
    else
        echo "not ok $name"
        printf '#   line:     %s\n#   expected: %s\n#   got:      %s\n' \
            "$*" "$expected" "$got" >&2
        failed=$(( failed + 1 ))
    fi
}

# Expected words are separated by "|"; '' means no completion at all.
all_commands='ingest|flows|top|events|sessions|stream|cat|info|check|compact|retain|purge|help'
kinds='flows|counters|events|sessions'
logs='flows|counters|events|sessions'
formats='json|ndjson|csv|tsv|table'

check 'command prefix'              'ingest|info'   aggr in
check 'one command matches'         'ingest'        aggr ing
check 'all commands'                "$all_commands" aggr ''
check 'three commands match'        'cat|check|compact' aggr c
check 'unknown prefix'              ''              aggr zz
check 'global long options'         '--data-dir|--quiet|--verbose|--help|--version|--format|--wait|--no-wait|--progress|--no-progress' aggr --
check 'global options, short too'   '-d|--data-dir|-q|--quiet|-v|--verbose|-h|--help|-V|--version|--format|--wait|--no-wait|--progress|--no-progress' aggr -
check 'global option prefix'        '--no-wait|--no-progress' aggr --no
check 'ingest kind'                 "$kinds"       aggr ingest ''
check 'ingest kind prefix'          'flows'         aggr ingest f
check_files 'ingest files'              'a.json|b.json.gz|sub|with space.json' aggr ingest flows ''
check 'ingest file prefix'          'a.json'        aggr ingest flows a
check 'ingest file with space'      'with space.json' aggr ingest flows w
check 'ingest more files'           'b.json.gz'     aggr ingest flows a.json b
check 'ingest options'              '--max-batch|--batch-id|--remove-source-files|--ignore-missing|--max-errors|--rejects|--wait|--no-wait|--progress|--no-progress|--data-dir|--quiet|--verbose|--help' aggr ingest --
check 'ingest --max-batch value'    ''              aggr ingest --max-batch ''
check 'ingest after --max-batch N'  "$kinds"       aggr ingest --max-batch 10 ''
check 'ingest after --'             "$kinds"       aggr ingest -- ''
check 'ingest kind events'          'events'        aggr ingest ev
check 'ingest file after --'        'a.json'        aggr ingest flows -- a
check_files 'ingest --rejects value'   'a.json|b.json.gz|sub|with space.json' aggr ingest flows --rejects ''
check 'flows options'               '--hour|--by|--page|--size|--all|--format|--data-dir|--quiet|--verbose|--help' aggr flows --
check 'flows option prefix'         '--hour|--help' aggr flows --h
check 'flows --hour value'          ''              aggr flows --hour ''
check 'flows --by values'            'bytes|bytes_rx|bytes_tx' aggr flows --by ''
check 'flows --by prefix'            'bytes_rx'      aggr flows --hour 7 --by bytes_r
check 'flows -n value'              ''              aggr flows -n ''
check 'flows no positional'         ''              aggr flows --hour 1 ''
check 'format values'               "$formats"      aggr --format ''
check 'format value prefix'         'ndjson'        aggr --format n
check 'format after command'        'csv'           aggr flows --hour 1 --format c
check 'format= values'              "$formats"      aggr --format =
check 'format= value prefix'        'tsv|table'     aggr --format = t
check 'format=value, unsplit'       '--format=json' aggr --format=j
check 'command after format=value'  "$logs"         aggr --format = json cat ''
check 'command after options'       "$logs"         aggr -q --wait 5 info ''
check 'data-dir values'             'sub'           aggr -d ''
check 'data-dir= values'            'sub'           aggr --data-dir = s
check 'command after -d DIR'        "$logs"         aggr -d /tmp cat ''
check 'cat logs'                    "$logs"         aggr cat ''
check 'cat second positional'       ''              aggr cat flows ''
check_files 'cat --cursor-file value'  'a.json|b.json.gz|sub|with space.json' aggr cat flows --cursor-file ''
check 'cat --from value'            ''              aggr cat flows --from ''
check 'cat options'                 '--since|--until|--tz|--from|--tail|--follow|--cursor-file|--show-offset|--progress|--no-progress|--data-dir|--quiet|--verbose|--help' aggr cat --
check 'info logs'                   "$logs"         aggr info ''
check 'info options'                '--format|--data-dir|--quiet|--verbose|--help' aggr info --
check 'check logs'                  "$logs"         aggr check ''
check 'check --repair'              '--repair'      aggr check --r
check 'check log after --repair'    'sessions'      aggr check --repair s
check 'purge log prefix'            'events'        aggr purge ev
check 'purge options'               '--wait|--no-wait|--data-dir|--quiet|--verbose|--help' aggr purge --
check 'help commands'               "$all_commands" aggr help ''
check 'help command prefix'         'flows'         aggr help fl
check 'ingest --batch-id value'     'auto'          aggr ingest flows --batch-id ''
check 'ingest --wait value'         '0|10|60|forever' aggr ingest flows --wait ''
check 'top options'                 '--minute|--hour|--at|--since|--until|--tz|--format|--data-dir|--quiet|--verbose|--help' aggr top --
check 'top --at values'             'now|today|yesterday|-1h|-30m|-7d' aggr top --hour --at ''
check 'top --tz zone'               'Europe/Berlin' aggr top --tz Europe/Berl
check 'help second positional'      ''              aggr help flows ''
check 'unknown command'             ''              aggr bogus ''
check 'events subcommands'          'add|list|stop|remove' aggr events ''
check 'events subcommand prefix'    'remove'        aggr events re
check 'events subcommand after -q'  'stop'          aggr -q events st
check 'events options, no subcommand' '--data-dir|--quiet|--verbose|--help' aggr events --
check 'events add options'          '--tag|--start|--stop|--tz|--format|--wait|--no-wait|--data-dir|--quiet|--verbose|--help' aggr events add --
check 'events list options'         '--tag|--since|--until|--tz|--format|--data-dir|--quiet|--verbose|--help' aggr events list --
check 'events stop options'         '--at|--tz|--format|--wait|--no-wait|--data-dir|--quiet|--verbose|--help' aggr events stop --
check 'events remove options'       '--start|--id|--purge|--format|--wait|--no-wait|--data-dir|--quiet|--verbose|--help' aggr events remove --
check 'events options after --tag T' '--tag|--since|--until|--tz|--format|--data-dir|--quiet|--verbose|--help' aggr events list --tag red --
check 'events --tag value'          ''              aggr events add --tag ''
check 'events add --start value'    'now|today|yesterday|-1h|-30m|-7d' aggr events add --start ''
check 'events add --stop value'     'now|today|yesterday|-1h|-30m|-7d' aggr events add --tag x --stop ''
check 'events remove --start EPOCH' ''              aggr events remove --start ''
check 'events remove --id value'    ''              aggr events remove --id ''
check 'events stop --at values'     'now|today|yesterday|-1h|-30m|-7d' aggr events stop 0123456789abcdef01234567 --at ''
check 'events list --since prefix'  'today'         aggr events list --since to
check 'events list --format value'  'ndjson'        aggr events list --format n
check 'events stop ID: no words'    ''              aggr events stop ''
check 'events no second subcommand' ''              aggr events list ''
check 'events --purge'              '--purge'       aggr events remove --p
check 'compact logs'                "$logs"         aggr compact ''
check 'compact log prefix'          'events'        aggr compact ev
check 'compact options'             '--wait|--no-wait|--data-dir|--quiet|--verbose|--help' aggr compact --
check 'compact second positional'   ''              aggr compact events ''
check 'compact log after -v'        'events'        aggr -v compact e
check 'help events'                 'events'        aggr help ev
check 'sessions options'            '--user|-n|--starts|--days|--at|--tz|--format|-d|--data-dir|-q|--quiet|-v|--verbose|-h|--help' aggr sessions -
check 'sessions --user value'       ''              aggr sessions --user ''
check 'sessions --at values'        'now|today|yesterday|-1h|-30m|-7d' aggr sessions --starts --days 1 --at ''
check 'sessions no positional'      ''              aggr sessions --days 1 ''
check 'retain logs'                 "$logs"         aggr retain ''
check 'retain options'              '--older-than|--set|--max-bytes|--set-max-bytes|--wait|--no-wait|--data-dir|--quiet|--verbose|--help' aggr retain --
check 'retain --set values'         '365.25d|90d|30d|7d|forever' aggr retain sessions --set ''
check 'retain log after --older-than' 'sessions'    aggr retain --older-than 30d s
check 'retain --set-max-bytes values' '100M|1G|10G|none' aggr retain sessions --set-max-bytes ''
check 'retain log after --max-bytes' 'sessions'    aggr retain --max-bytes 1G s

# stream SUBCOMMAND NAME ...; stream names from $AGGR_DIR/streams
mkdir -p sub/data/streams/orders sub/data/streams/other
export AGGR_DIR=$tmp/sub/data
check 'stream subcommands'          'publish|consume|ack|consumers|seek|list' aggr stream ''
check 'stream subcommand prefix'    'consume|consumers' aggr stream cons
check 'stream names'                'orders|other'  aggr stream consume ''
check 'stream name prefix'          'orders'        aggr stream ack or
check 'stream name after options'   'orders'        aggr stream publish --producer p ord
check_files 'stream publish files'      'a.json|b.json.gz|sub|with space.json' aggr stream publish orders ''
check 'stream list: no name'        ''              aggr stream list ''
check 'stream --to values'          'earliest|latest' aggr stream seek orders --to ''
check 'stream --consumer value'     ''              aggr stream ack orders --consumer ''
check 'stream options'              '--producer|--consumer|--event-name|--limit|--follow|--to|--format|--wait|--no-wait|--data-dir|--quiet|--verbose|--help' aggr stream --
unset AGGR_DIR

echo "completions: $passed passed, $failed failed"
(( failed == 0 ))
