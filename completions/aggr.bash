# bash completion for aggr(1)                              -*- shell-script -*-
#
# Install as $(pkg-config --variable=completionsdir bash-completion)/aggr,
# usually /usr/share/bash-completion/completions/aggr, or source this file.
# It needs nothing from the bash-completion package.

_aggr_commands='ingest flows top events sessions stream cat info check compact retain purge help'
_aggr_kinds='flows counters events sessions'
_aggr_events_subs='add list stop remove'
_aggr_stream_subs='publish consume ack consumers seek list'
_aggr_logs='flows counters events sessions'
_aggr_formats='json ndjson csv tsv table'

# Options that take an argument in the next word (or after "="); $2 is the
# command when known: top's --hour is a switch, flows' takes the hour.
_aggr_takes_arg()
{
    [[ $1 == --hour && $2 == top ]] && return 1
    case $1 in
        -d | --data-dir | --format | --wait | --max-batch | --batch-id | --hour | --page | --size | --by | --from | --tail | --cursor-file | --max-errors | --rejects | \
        --at | --since | --until | --tz | -n | --tag | --start | --stop | --id | --user | --days | --older-than | --set | --max-bytes | --set-max-bytes | \
        --producer | --consumer | --event-name | --limit | --to)
            return 0 ;;
    esac
    return 1
}

# The options offered after COMMAND ($1), or before any command ($1 empty);
# for events, $2 is the subcommand when known.
_aggr_options()
{
    local common='-d --data-dir -q --quiet -v --verbose -h --help'
    local lock='--wait --no-wait'
    case $1 in
        '')     echo "-d --data-dir -q --quiet -v --verbose -h --help -V --version" \
                     "--format --wait --no-wait --progress --no-progress" ;;
        ingest) echo "--max-batch --batch-id --remove-source-files --ignore-missing --max-errors --rejects --wait --no-wait --progress --no-progress $common" ;;
        flows)  echo "--hour --by -n --page --size --all --format $common" ;;
        top)    echo "--minute --hour --at --since --until -n --tz --format $common" ;;
        events)
            case $2 in
                add)    echo "--tag --start --stop --tz --format $lock $common" ;;
                list)   echo "--tag --since --until --tz --format $common" ;;
                stop)   echo "--at --tz --format $lock $common" ;;
                remove) echo "--start --id --purge --format $lock $common" ;;
                *)      echo "$common" ;;
            esac ;;
        cat)    echo "--since --until --tz --from -n --tail -f --follow --cursor-file --show-offset --progress --no-progress $common" ;;
        info)   echo "--format $common" ;;
        check)  echo "--repair --wait --no-wait --progress --no-progress $common" ;;
        compact) echo "--wait --no-wait $common" ;;
        purge)  echo "--wait --no-wait $common" ;;
        stream) echo "--producer --consumer --event-name --limit --follow --to --format --wait --no-wait $common" ;;
        help)   echo "$common" ;;
        sessions) echo "--user -n --starts --days --at --tz --format $common" ;;
        retain) echo "--older-than --set --max-bytes --set-max-bytes --wait --no-wait $common" ;;
    esac
}

# The streams of the data directory (-d is not looked at).
_aggr_streams()
{
    local d=${AGGR_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/aggr}/streams
    [[ -d $d ]] && (cd "$d" && compgen -d -- "$1")
}

# Complete the argument $2 of option $1; $3 is the command, $4 the
# events subcommand.
_aggr_option_value()
{
    case $1 in
        --start)
            # add takes a TIME; remove an EPOCH as list prints it
            [[ $3 == events && $4 == add ]] &&
                COMPREPLY=($(compgen -W "now today yesterday -1h -30m -7d" -- "$2")) ;;
        --stop)
            COMPREPLY=($(compgen -W "now today yesterday -1h -30m -7d" -- "$2")) ;;
        -d | --data-dir)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "$2") ;;
        --cursor-file | --rejects)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
        --format)
            COMPREPLY=($(compgen -W "$_aggr_formats" -- "$2")) ;;
        --batch-id)
            COMPREPLY=($(compgen -W "auto" -- "$2")) ;;
        --wait)
            COMPREPLY=($(compgen -W "0 10 60 forever" -- "$2")) ;;
        --by)
            COMPREPLY=($(compgen -W "bytes bytes_rx bytes_tx" -- "$2")) ;;
        --to)
            COMPREPLY=($(compgen -W "earliest latest" -- "$2")) ;;
        --at | --since | --until)
            COMPREPLY=($(compgen -W "now today yesterday -1h -30m -7d" -- "$2")) ;;
        --older-than)
            COMPREPLY=($(compgen -W "365.25d 90d 30d 7d" -- "$2")) ;;
        --set)
            COMPREPLY=($(compgen -W "365.25d 90d 30d 7d forever" -- "$2")) ;;
        --max-bytes)
            COMPREPLY=($(compgen -W "100M 1G 10G" -- "$2")) ;;
        --set-max-bytes)
            COMPREPLY=($(compgen -W "100M 1G 10G none" -- "$2")) ;;
        --tz)
            local zdir=${TZDIR:-/usr/share/zoneinfo}
            mapfile -t COMPREPLY < <(cd "$zdir" 2>/dev/null && compgen -f -- "$2")
            compopt -o filenames 2>/dev/null ;;
        *)  # a number: nothing to offer
            COMPREPLY=() ;;
    esac
}

_aggr()
{
    local cword=$COMP_CWORD cur=${COMP_WORDS[COMP_CWORD]}
    local prev=${COMP_WORDS[COMP_CWORD-1]}
    local IFS=$' \t\n'
    COMPREPLY=()

    # Completing the value of an option?  Bash splits "--format=j" into
    # "--format" "=" "j" when "=" is in COMP_WORDBREAKS (the default).
    if [[ $cur == = && $prev == --* ]] && _aggr_takes_arg "$prev"; then
        _aggr_option_value "$prev" ""
        return 0
    fi
    if [[ $prev == = ]] && (( cword >= 2 )) &&
        [[ ${COMP_WORDS[cword-2]} == --* ]] &&
        _aggr_takes_arg "${COMP_WORDS[cword-2]}"; then
        _aggr_option_value "${COMP_WORDS[cword-2]}" "$cur"
        return 0
    fi
    if [[ $cur == --*=* ]] && _aggr_takes_arg "${cur%%=*}"; then
        _aggr_option_value "${cur%%=*}" "${cur#*=}"
        COMPREPLY=("${COMPREPLY[@]/#/${cur%%=*}=}")
        return 0
    fi

    # Walk the words before the cursor: find the command and count the
    # positional arguments after it.
    local i word cmd='' sub='' npos=0 ddash=0 expect_value=0
    for (( i = 1; i < cword; i++ )); do
        word=${COMP_WORDS[i]}
        if (( expect_value )); then
            expect_value=0
            [[ $word == = ]] && expect_value=1   # "--opt" "=" "value"
            continue
        fi
        if (( !ddash )) && [[ $word == -- ]]; then
            ddash=1
            continue
        fi
        if (( !ddash )) && [[ $word == -?* ]]; then
            _aggr_takes_arg "$word" "$cmd" && expect_value=1
            continue
        fi
        if [[ -z $cmd ]]; then
            cmd=$word
        else
            (( npos == 0 )) && [[ $cmd == events ]] && sub=$word
            (( npos++ ))
        fi
    done

    if (( expect_value )); then
        _aggr_option_value "$prev" "$cur" "$cmd" "$sub"
        return 0
    fi

    if (( !ddash )) && [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_aggr_options "$cmd" "$sub")" -- "$cur"))
        return 0
    fi

    case $cmd in
        '')
            COMPREPLY=($(compgen -W "$_aggr_commands" -- "$cur")) ;;
        ingest)
            if (( npos == 0 )); then
                COMPREPLY=($(compgen -W "$_aggr_kinds" -- "$cur"))
            else
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            fi ;;
        events)
            (( npos == 0 )) &&
                COMPREPLY=($(compgen -W "$_aggr_events_subs" -- "$cur")) ;;
        cat | info | check | compact | retain | purge)
            (( npos == 0 )) &&
                COMPREPLY=($(compgen -W "$_aggr_logs" -- "$cur")) ;;
        stream)
            # the subcommand is the first positional, the stream the second
            local sub='' j
            for (( j = 2; j < cword; j++ )); do
                [[ ${COMP_WORDS[j]} == -* || ${COMP_WORDS[j-1]} == --@(producer|consumer|event-name|limit|to|format|wait|data-dir) || \
                   ${COMP_WORDS[j-1]} == -d ]] && continue
                sub=${COMP_WORDS[j]}
                break
            done
            if (( npos == 0 )); then
                COMPREPLY=($(compgen -W "$_aggr_stream_subs" -- "$cur"))
            elif (( npos == 1 )) && [[ $sub != list ]]; then
                mapfile -t COMPREPLY < <(_aggr_streams "$cur")
            elif (( npos >= 2 )) && [[ $sub == publish ]]; then
                compopt -o filenames 2>/dev/null
                mapfile -t COMPREPLY < <(compgen -f -- "$cur")
            fi ;;
        help)
            (( npos == 0 )) &&
                COMPREPLY=($(compgen -W "$_aggr_commands" -- "$cur")) ;;
    esac
    return 0
}

complete -F _aggr aggr
