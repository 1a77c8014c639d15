# shellcheck shell=bash
# bash completion for orch (Cloud Jobs): commands, options, and job names asked of the
# configured host through `orch __complete-jobs`. Load it with
#   source <(orch completion bash)                 # this shell (or add the line to ~/.bashrc)
#   orch completion bash > ~/.local/share/bash-completion/completions/orch   # with bash-completion
# Works in bash 3.2 and later (no mapfile, no associative arrays).

# One line per command: name|options|options taking a value|options taking a list|operands
# (written by `orch completion bash`; see src/cli/completion/table.ts)
_orch_table='' # @ORCH_COMPLETION_TABLE@

# _orch_row NAME: sets _orch_opts _orch_valued _orch_lists _orch_operands from NAME's line.
_orch_row() {
  local name opts valued lists operands
  while IFS='|' read -r name opts valued lists operands; do
    if [[ $name == "$1" ]]; then
      _orch_opts=$opts _orch_valued=$valued _orch_lists=$lists _orch_operands=$operands
      return 0
    fi
  done <<<"$_orch_table"
  return 1
}

# _orch_in WORD LIST: whether WORD is one of the space-separated LIST.
_orch_in() {
  [[ " $2 " == *" $1 "* ]]
}

# _orch_add CUR WORD...: adds the WORDs that start with CUR to COMPREPLY.
_orch_add() {
  local cur=$1 w
  shift
  for w in "$@"; do
    [[ $w == "$cur"* ]] && COMPREPLY+=("$w")
  done
  return 0
}

# _orch_jobs ORCH CUR [--active] [options...]: job names of the target the options choose.
_orch_jobs() {
  local orch=$1 cur=$2 name
  shift 2
  # stdin from /dev/null: orch must never ask for a passphrase in the middle of a Tab
  while IFS= read -r name; do
    [[ $name == "$cur"* ]] && COMPREPLY+=("$name")
  done < <("$orch" __complete-jobs "$@" </dev/null 2>/dev/null)
  return 0
}

# _orch_hosts ORCH CUR: the names --host takes (hosts.yaml entries and auto, else ORCH_HOST).
_orch_hosts() {
  local name
  while IFS= read -r name; do
    [[ $name == "$2"* ]] && COMPREPLY+=("$name")
  done < <("$1" __complete-hosts </dev/null 2>/dev/null)
  return 0
}

_orch() {
  local cur=${COMP_WORDS[COMP_CWORD]} orch=${COMP_WORDS[0]} i=1 j word opt
  local _orch_opts _orch_valued _orch_lists _orch_operands
  COMPREPLY=()
  # --debug may come before the command
  while ((i < COMP_CWORD)) && [[ ${COMP_WORDS[i]} == --debug ]]; do i=$((i + 1)); done
  if ((i == COMP_CWORD)); then
    _orch_row @global || return 0
    if [[ $cur == -* ]]; then
      # shellcheck disable=SC2086 # the option list splits on spaces by design
      _orch_add "$cur" $_orch_opts
    else
      local IFS=,
      # shellcheck disable=SC2086
      _orch_add "$cur" ${_orch_operands#words:}
    fi
    return 0
  fi

  # the options that choose the target (--host, --local, ...) are passed on to __complete-jobs
  local choosing=''
  _orch_row __complete-jobs && choosing=$_orch_opts
  _orch_row "${COMP_WORDS[i]}" || return 0

  # Walk the words between the command and the cursor: option values, list values, operands.
  local operands=0 expect='' inlist='' valued_opt=''
  local -a pass=()
  for ((j = i + 1; j < COMP_CWORD; j++)); do
    word=${COMP_WORDS[j]}
    if [[ -n $expect ]]; then
      [[ $expect == pass ]] && pass+=("$word")
      expect=''
      continue
    fi
    # after `--` comes a command line: the shell's default completion
    [[ $word == -- ]] && return 0
    if [[ $word == -* ]]; then
      opt=${word%%=*}
      valued_opt=$opt
      inlist=''
      _orch_in "$opt" "$_orch_lists" && inlist=1
      if [[ $opt != --help && $opt != --active ]] && _orch_in "$opt" "$choosing"; then
        pass+=("$word")
        [[ $word != *=* ]] && _orch_in "$opt" "$_orch_valued" && expect=pass
      elif [[ $word != *=* ]] && _orch_in "$opt" "$_orch_valued"; then
        expect=skip
      fi
      continue
    fi
    [[ -n $inlist ]] && continue
    operands=$((operands + 1))
    # `run NAME cmd...`: past the command's first word, the shell's default completion
    [[ $_orch_operands == new-job ]] && ((operands > 1)) && return 0
  done

  if [[ -n $expect ]]; then
    # an option's value: host names for --host, else file names by default
    [[ $valued_opt == --host ]] && _orch_hosts "$orch" "$cur"
    return 0
  fi
  if [[ $cur == -* ]] && { ((operands == 0)) || [[ $_orch_operands != new-job ]]; }; then
    # shellcheck disable=SC2086
    _orch_add "$cur" $_orch_opts
    return 0
  fi
  [[ -n $inlist ]] && return 0
  case $_orch_operands in
    job) ((operands == 0)) && _orch_jobs "$orch" "$cur" "${pass[@]}" ;;
    active-job) ((operands == 0)) && _orch_jobs "$orch" "$cur" --active "${pass[@]}" ;;
    new-job)
      # after the new job's name: the command it runs
      if ((operands == 1)); then
        while IFS= read -r word; do COMPREPLY+=("$word"); done < <(compgen -c -- "$cur" | sort -u)
      fi
      ;;
    words:*)
      if ((operands == 0)); then
        local IFS=,
        # shellcheck disable=SC2086
        _orch_add "$cur" ${_orch_operands#words:}
      fi
      ;;
  esac
  return 0
}

# -o default: where orch offers nothing (an option's value, a job's command line), file names
complete -o default -F _orch orch
