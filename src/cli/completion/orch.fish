# fish completion for orch (Cloud Jobs): commands, options, and job names asked of the
# configured host through `orch __complete-jobs`. Load it with
#   orch completion fish | source                                  # this shell
#   orch completion fish > ~/.config/fish/completions/orch.fish    # every new shell

# One line per command: name|options|options taking a value|options taking a list|operands
# (written by `orch completion fish`; see src/cli/completion/table.ts)
set -g __orch_table '' # @ORCH_COMPLETION_TABLE@

# __orch_row NAME: prints NAME's fields, one per line (name opts valued lists operands).
function __orch_row
    for line in (string split \n -- $__orch_table)
        set -l row (string split '|' -- $line)
        if test "$row[1]" = "$argv[1]"
            printf '%s\n' $row
            return 0
        end
    end
    return 1
end

# __orch_subcommand WORDS...: completes a job's command line (WORDS, then the word under the cursor).
function __orch_subcommand
    complete -C (string join ' ' -- (string escape -- $argv) (commandline -ct))
end

# The candidates for the word under the cursor; nothing printed means file names.
function __orch_candidates
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l orch $tokens[1]
    set -l i 2
    while test $i -le (count $tokens); and test "$tokens[$i]" = --debug
        set i (math $i + 1)
    end
    if test $i -gt (count $tokens)
        set -l row (__orch_row @global)
        if string match -q -- '-*' $cur
            string split ' ' -- $row[2]
        else
            string split , -- (string replace words: '' -- $row[5])
        end
        return
    end
    set -l choosing (string split ' ' -- (__orch_row __complete-jobs)[2])
    set -l row (__orch_row $tokens[$i]); or begin
        __fish_complete_path $cur
        return
    end
    set -l opts (string split ' ' -- $row[2])
    set -l valued (string split ' ' -- $row[3])
    set -l lists (string split ' ' -- $row[4])
    set -l kind $row[5]
    set -l operands 0
    set -l expect ''
    set -l inlist ''
    set -l valued_opt ''
    set -l pass
    set -l j $i
    while test $j -lt (count $tokens)
        set j (math $j + 1)
        set -l word $tokens[$j]
        if test -n "$expect"
            test "$expect" = pass; and set -a pass $word
            set expect ''
            continue
        end
        if test "$word" = --
            __orch_subcommand $tokens[(math $j + 1)..-1]
            return
        end
        if string match -q -- '-*' $word
            set -l opt (string split -m1 = -- $word)[1]
            set valued_opt $opt
            set inlist ''
            contains -- $opt $lists; and set inlist 1
            if contains -- $opt $choosing; and not contains -- $opt --help --active
                set -a pass $word
                if not string match -q -- '*=*' $word; and contains -- $opt $valued
                    set expect pass
                end
            else if not string match -q -- '*=*' $word; and contains -- $opt $valued
                set expect skip
            end
            continue
        end
        test -n "$inlist"; and continue
        set operands (math $operands + 1)
        if test "$kind" = new-job
            # the new job's name, then its command line
            __orch_subcommand $tokens[(math $j + 1)..-1]
            return
        end
    end
    if test -n "$expect"; and test "$valued_opt" = --host
        # the names --host takes (hosts.yaml entries and auto, else ORCH_HOST)
        $orch __complete-hosts </dev/null 2>/dev/null
        return
    end
    if test -n "$expect"; or test -n "$inlist"
        __fish_complete_path $cur
        return
    end
    if string match -q -- '-*' $cur
        printf '%s\n' $opts
        return
    end
    switch $kind
        case job active-job
            test $operands -eq 0; or return
            test "$kind" = active-job; and set pass --active $pass
            $orch __complete-jobs $pass </dev/null 2>/dev/null
        case 'words:*'
            if test $operands -eq 0
                string split , -- (string replace words: '' -- $kind)
            else
                __fish_complete_path $cur
            end
        case files
            __fish_complete_path $cur
    end
end

complete -c orch -f -a '(__orch_candidates)'
