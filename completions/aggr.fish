# fish completion for aggr(1).
# Install as aggr.fish in a directory of $fish_complete_path, for example
# /usr/share/fish/vendor_completions.d.

# Print the positional words typed so far (the command first), skipping
# options and their arguments.
function __aggr_positionals
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    set -l ddash 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        if test $ddash -eq 0
            switch $t
                case --
                    set ddash 1
                    continue
                case -d --data-dir --format --wait --max-batch --batch-id --hour --page --size \
                    --at --since --until --tz --tag --start --stop --id --user --days --older-than --set --max-bytes --set-max-bytes \
                    --producer --consumer --event-name --limit --to
                    set skip 1
                    continue
                case '-?*'
                    continue
            end
        end
        echo $t
    end
end

# True when no command has been typed yet.
function __aggr_needs_command
    test (count (__aggr_positionals)) -eq 0
end

# True when the command is one of the arguments.
function __aggr_using
    set -l words (__aggr_positionals)
    test (count $words) -gt 0; and contains -- $words[1] $argv
end

# True when the command is one of the arguments and the word being typed
# is its first argument.
function __aggr_first_arg
    set -l words (__aggr_positionals)
    test (count $words) -eq 1; and contains -- $words[1] $argv
end

# True when the command is events and its subcommand is one of the
# arguments.
function __aggr_events_sub
    set -l words (__aggr_positionals)
    test (count $words) -ge 2; and test $words[1] = events; and contains -- $words[2] $argv
end

complete -c aggr -f

# Commands
complete -c aggr -n __aggr_needs_command -a ingest -d 'Validate records and append them to a log'
complete -c aggr -n __aggr_needs_command -a flows -d 'Print the traffic of one hour'
complete -c aggr -n __aggr_needs_command -a top -d 'Print the domains with the most requests'
complete -c aggr -n __aggr_needs_command -a events -d 'Add, list, stop and remove tagged events'
complete -c aggr -n __aggr_needs_command -a cat -d 'Print every record of a log as JSON lines'
complete -c aggr -n __aggr_needs_command -a info -d 'Describe logs'
complete -c aggr -n __aggr_needs_command -a check -d 'Verify logs'
complete -c aggr -n __aggr_needs_command -a compact -d 'Rewrite logs without removed records'
complete -c aggr -n __aggr_needs_command -a purge -d 'Delete every record of a log'
complete -c aggr -n __aggr_needs_command -a stream -d 'Event streams: publish, consume, ack, consumers, seek, list'
complete -c aggr -n __aggr_needs_command -a help -d 'Print help'
complete -c aggr -n __aggr_needs_command -a sessions -d "Print a user's sessions or session starts per country"
complete -c aggr -n __aggr_needs_command -a retain -d "Delete segments older than a log's retention, or past its size"

# Global options (also valid after the command)
complete -c aggr -s d -l data-dir -x -a '(__fish_complete_directories)' -d 'Data directory'
complete -c aggr -s q -l quiet -d 'Print only errors on stderr'
complete -c aggr -s v -l verbose -d 'Also report what was done'
complete -c aggr -s h -l help -d 'Print help'
complete -c aggr -n __aggr_needs_command -s V -l version -d 'Print the version'
complete -c aggr -n '__aggr_needs_command; or __aggr_using flows top events info stream' -l format -x -a 'json ndjson csv tsv table' -d 'Output format'
complete -c aggr -n '__aggr_needs_command; or __aggr_using ingest events check compact purge stream' -l wait -x -a 'forever' -d 'Wait this long for the lock (seconds, or forever)'
complete -c aggr -n '__aggr_needs_command; or __aggr_using ingest events check compact purge stream' -l no-wait -d 'Fail at once if the log is locked'
complete -c aggr -n '__aggr_needs_command; or __aggr_using ingest cat check' -l progress -d 'Show progress on stderr'
complete -c aggr -n '__aggr_needs_command; or __aggr_using ingest cat check' -l no-progress -d 'Do not show progress'

# ingest KIND [FILE...]
complete -c aggr -n '__aggr_first_arg ingest' -a flows -d 'Flow log records'
complete -c aggr -n '__aggr_first_arg ingest' -a counters -d 'Domain counter records'
complete -c aggr -n '__aggr_first_arg ingest' -a events -d 'Tagged event records'
complete -c aggr -n '__aggr_first_arg ingest' -a sessions -d 'User session events'
complete -c aggr -n '__aggr_using ingest' -l remove-source-files -d 'Load each FILE as a run, delete it once stored'
complete -c aggr -n '__aggr_using ingest' -l ignore-missing -d 'Skip FILEs that do not exist'
complete -c aggr -n '__aggr_using ingest' -l max-errors -x -d 'Set aside up to N bad records'
complete -c aggr -n '__aggr_using ingest' -l rejects -r -F -d 'Append the records set aside to FILE'
complete -c aggr -n '__aggr_using ingest; and not __aggr_first_arg ingest' -F
complete -c aggr -n '__aggr_using ingest' -l max-batch -x -d 'Reject a run of more than N records'
complete -c aggr -n '__aggr_using ingest' -l batch-id -x -a auto -d 'Store the run once under this ID'

# flows --hour H [--by FIELD] [-n N] [--page P] [--size S] [--all]
complete -c aggr -n '__aggr_using flows' -l hour -x -d 'Hours to report: H, A-B or a list'
complete -c aggr -n '__aggr_using flows' -l by -x -a 'bytes bytes_rx bytes_tx' -d 'Sort by bytes, highest first'
complete -c aggr -n '__aggr_using flows' -s n -x -d 'The first N groups only'
complete -c aggr -n '__aggr_using flows' -l page -x -d 'Page number, from 1'
complete -c aggr -n '__aggr_using flows' -l size -x -d 'Groups per page (0: all)'
complete -c aggr -n '__aggr_using flows' -l all -d 'Every group on one page'

# top (--minute | --hour) [--at TIME] | --since TIME [--until TIME]; -n N; --tz ZONE
complete -c aggr -n '__aggr_using top' -l minute -d 'The previous complete minute'
complete -c aggr -n '__aggr_using top' -l hour -d 'The previous complete hour'
complete -c aggr -n '__aggr_using top' -l at -x -a 'now today yesterday -1h' -d 'The window ends before this time'
complete -c aggr -n '__aggr_using top cat' -l since -x -a 'now today yesterday -1h -7d' -d 'Start of the window'
complete -c aggr -n '__aggr_using top cat' -l until -x -a 'now today yesterday' -d 'End of the window (excluded)'
complete -c aggr -n '__aggr_using top' -s n -x -d 'At most N domains'
complete -c aggr -n '__aggr_using cat' -l from -x -d 'Start at this log offset'
complete -c aggr -n '__aggr_using cat' -s n -l tail -x -d 'Only the last N records'
complete -c aggr -n '__aggr_using cat' -s f -l follow -d 'Print new records as they commit'
complete -c aggr -n '__aggr_using cat' -l cursor-file -r -F -d 'Start at and save the position in FILE'
complete -c aggr -n '__aggr_using cat' -l show-offset -d 'Print {"offset":N,"record":...} lines'
complete -c aggr -n '__aggr_using top cat' -l tz -x -a '(string replace -r "^.*/zoneinfo/" "" /usr/share/zoneinfo/*/*)' -d 'Time zone'

# events add|list|stop|remove
complete -c aggr -n '__aggr_first_arg events' -a add -d 'Store an event and print it'
complete -c aggr -n '__aggr_first_arg events' -a list -d 'Print the live events'
complete -c aggr -n '__aggr_first_arg events' -a stop -d 'Set the stop of an event'
complete -c aggr -n '__aggr_first_arg events' -a remove -d 'Remove events by start, id or all'
complete -c aggr -n '__aggr_events_sub add list' -l tag -x -d 'Tag (add: of the event; list: required)'
complete -c aggr -n '__aggr_events_sub add' -l start -x -a 'now today yesterday -1h -30m -7d' -d 'Start of the event'
complete -c aggr -n '__aggr_events_sub add' -l stop -x -a 'now today yesterday -1h -30m -7d' -d 'Stop of the event'
complete -c aggr -n '__aggr_events_sub list' -l since -x -a 'now today yesterday -1h -7d' -d 'Events starting at or after TIME'
complete -c aggr -n '__aggr_events_sub list' -l until -x -a 'now today yesterday' -d 'Events starting before TIME'
complete -c aggr -n '__aggr_events_sub stop' -l at -x -a 'now today yesterday -1h' -d 'The stop time (default now)'
complete -c aggr -n '__aggr_events_sub remove' -l start -x -d 'Remove events starting exactly at EPOCH'
complete -c aggr -n '__aggr_events_sub remove' -l id -x -d 'Remove the event with this id'
complete -c aggr -n '__aggr_events_sub remove' -l purge -d 'Remove every event'
complete -c aggr -n '__aggr_events_sub add list stop' -l tz -x -a '(string replace -r "^.*/zoneinfo/" "" /usr/share/zoneinfo/*/*)' -d 'Time zone'

# cat LOG, info [LOG], check [--repair] [LOG], compact [LOG], purge LOG
complete -c aggr -n '__aggr_first_arg cat info check compact purge' -a 'flows counters events sessions' -d Log
complete -c aggr -n '__aggr_using check' -l repair -d 'Rebuild what commits prove, set the rest aside (kept in LOG/lost)'

# sessions --user U [-n N] | --starts --days X [--at TIME] [--tz ZONE]
complete -c aggr -n '__aggr_using sessions' -l user -x -d 'The user whose sessions to print'
complete -c aggr -n '__aggr_using sessions' -s n -x -d 'At most N sessions'
complete -c aggr -n '__aggr_using sessions' -l starts -d 'Session starts per country'
complete -c aggr -n '__aggr_using sessions' -l days -x -d 'The window is X days'
complete -c aggr -n '__aggr_using sessions' -l at -x -a 'now today yesterday -1h' -d 'The window ends at this time'
complete -c aggr -n '__aggr_using sessions' -l tz -x -a '(string replace -r "^.*/zoneinfo/" "" /usr/share/zoneinfo/*/*)' -d 'Time zone'
complete -c aggr -n '__aggr_using sessions' -l format -x -a 'json ndjson csv tsv table' -d 'Output format'

# retain [LOG] [--older-than AGE] [--set AGE|forever] [--max-bytes SIZE] [--set-max-bytes SIZE|none]
complete -c aggr -n '__aggr_first_arg retain' -a 'flows counters events sessions' -d Log
complete -c aggr -n '__aggr_using retain' -l older-than -x -a '365.25d 90d 30d 7d' -d 'Delete what was ingested more than AGE ago'
complete -c aggr -n '__aggr_using retain' -l set -x -a '365.25d 90d 30d 7d forever' -d "Make AGE the log's retention"
complete -c aggr -n '__aggr_using retain' -l max-bytes -x -a '100M 1G 10G' -d 'Delete the oldest sealed segments until the log fits in SIZE'
complete -c aggr -n '__aggr_using retain' -l set-max-bytes -x -a '100M 1G 10G none' -d 'Make SIZE the size the log is kept to'
complete -c aggr -n '__aggr_using retain' -l wait -x -a 'forever' -d 'Wait this long for the lock (seconds, or forever)'
complete -c aggr -n '__aggr_using retain' -l no-wait -d 'Fail at once if the log is locked'

# stream SUBCOMMAND NAME ...
function __aggr_stream_sub
    set -l words (__aggr_positionals)
    test (count $words) -ge 2; and test $words[1] = stream; or return 1
    if test (count $argv) -eq 0
        return 0
    end
    contains -- $words[2] $argv
end
function __aggr_stream_name
    set -l words (__aggr_positionals)
    test (count $words) -eq 2; and test $words[1] = stream; and test $words[2] != list
end
function __aggr_streams
    set -l d $AGGR_DIR
    if test -z "$d"
        set -l x $XDG_DATA_HOME
        test -z "$x"; and set x $HOME/.local/share
        set d $x/aggr
    end
    for s in $d/streams/*/
        basename $s
    end
end
complete -c aggr -n '__aggr_first_arg stream' -a 'publish consume ack consumers seek list'
complete -c aggr -n __aggr_stream_name -a '(__aggr_streams)' -d Stream
complete -c aggr -n '__aggr_stream_sub publish; and test (count (__aggr_positionals)) -ge 3' -F
complete -c aggr -n '__aggr_stream_sub publish' -l producer -x -d 'The publishing producer'
complete -c aggr -n '__aggr_stream_sub consume ack seek' -l consumer -x -d 'The consumer'
complete -c aggr -n '__aggr_stream_sub consume seek' -l event-name -x -d 'Event name'
complete -c aggr -n '__aggr_stream_sub consume' -l limit -x -d 'At most L events'
complete -c aggr -n '__aggr_stream_sub consume' -l follow -d 'Keep printing new events'
complete -c aggr -n '__aggr_stream_sub seek' -l to -x -a 'earliest latest' -d 'Where to seek'

# help [COMMAND]
complete -c aggr -n '__aggr_first_arg help' -a 'ingest flows top events sessions stream cat info check compact retain purge help' -d Command