# bash completion for aggr(1)                              -*- shell-script -*-
#
# Install as $(pkg-config --variable=completionsdir bash-completion)/aggr,
# usually /usr/share/bash-completion/completions/aggr, or source this file.
# It needs nothing from the bash-completion package.

_aggr_commands='ingest flows top events sessions cat info check compact retain purge help'
_aggr_kinds='flows counters events sessions'
_aggr_events_subs='add list stop remove'
_aggr_logs='flows counters events sessions'
_aggr_formats='json ndjson csv tsv table'

# Options that take an argument in the next word (or after "="); $2 is the
# command when known: top's --hour is a switch, flows' takes the hour.
_aggr_takes_arg()
{
    [[ $1 == --hour && $2 == top ]] && return 1
    case $1 in
        -d | --data-dir | --format | --wait | --max-batch | --batch-id | --hour | --page | --size | \
        --at | --since | --until | --tz | -n | --tag | --start | --stop | --id | --user | --days | --older-than | --set)
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
        ingest) echo "--max-batch --batch-id --wait --no-wait --progress --no-progress $common" ;;
        flows)  echo "--hour --page --size --format $common" ;;
        top)    echo "--minute --hour --at --since --until -n --tz --format $common" ;;
        events)
            case $2 in
                add)    echo "--tag --start --stop --tz --format $lock $common" ;;
                list)   echo "--tag --since --until --tz --format $common" ;;
                stop)   echo "--at --tz --format $lock $common" ;;
                remove) echo "--start --id --purge --format $lock $common" ;;
                *)      echo "$common" ;;
            esac ;;
        cat)    echo "--since --until --tz --progress --no-progress $common" ;;
        info)   echo "--format $common" ;;
        check)  echo "--repair --wait --no-wait --progress --no-progress $common" ;;
        compact) echo "--wait --no-wait $common" ;;
        purge)  echo "--wait --no-wait $common" ;;
        help)   echo "$common" ;;
        sessions) echo "--user -n --starts --days --at --tz --format $common" ;;
        retain) echo "--older-than --set --wait --no-wait $common" ;;
    esac
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
        --format)
            COMPREPLY=($(compgen -W "$_aggr_formats" -- "$2")) ;;
        --batch-id)
            COMPREPLY=($(compgen -W "auto" -- "$2")) ;;
        --at | --since | --until)
            COMPREPLY=($(compgen -W "now today yesterday -1h -30m -7d" -- "$2")) ;;
        --older-than)
            COMPREPLY=($(compgen -W "365.25d 90d 30d 7d" -- "$2")) ;;
        --set)
            COMPREPLY=($(compgen -W "365.25d 90d 30d 7d forever" -- "$2")) ;;
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
        help)
            (( npos == 0 )) &&
                COMPREPLY=($(compgen -W "$_aggr_commands" -- "$cur")) ;;
    esac
    return 0
}

complete -F _aggr aggr
