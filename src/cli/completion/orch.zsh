#compdef orch
# zsh completion for orch (Cloud Jobs): commands, options, and job names asked of the
# configured host through `orch __complete-jobs`. Load it with
#   source <(orch completion zsh)                      # after compinit, e.g. in ~/.zshrc
#   orch completion zsh > "${fpath[1]}/_orch"          # or as an autoloaded function

# One line per command: name|options|options taking a value|options taking a list|operands
# (written by `orch completion zsh`; see src/cli/completion/table.ts)
_orch_table='' # @ORCH_COMPLETION_TABLE@

# _orch_row NAME: sets the array row=(name opts valued lists operands) from NAME's line.
_orch_row() {
  local line
  for line in "${(@f)_orch_table}"; do
    row=("${(@s:|:)line}")
    [[ $row[1] == "$1" ]] && return 0
  done
  return 1
}

_orch() {
  local -a row choosing pass opts valued lists found
  local i=2 j word opt operands=0 expect='' inlist='' kind valued_opt=''
  while (( i < CURRENT )) && [[ $words[i] == --debug ]]; do (( i++ )); done
  if (( i == CURRENT )); then
    _orch_row @global || return 1
    if [[ $PREFIX == -* ]]; then
      compadd -- ${=row[2]}
    else
      compadd -- ${(s:,:)row[5]#words:}
    fi
    return
  fi
  # the options that choose the target (--host, --local, ...) are passed on to __complete-jobs
  _orch_row __complete-jobs && choosing=(${=row[2]:#--(help|active)})
  _orch_row "$words[i]" || { _files; return; }
  opts=(${=row[2]}) valued=(${=row[3]}) lists=(${=row[4]}) kind=$row[5]

  for (( j = i + 1; j < CURRENT; j++ )); do
    word=$words[j]
    if [[ -n $expect ]]; then
      [[ $expect == pass ]] && pass+=("$word")
      expect=''
      continue
    fi
    if [[ $word == -- ]]; then
      # a command line follows
      shift $j words
      (( CURRENT -= j ))
      _normal
      return
    fi
    if [[ $word == -* ]]; then
      opt=${word%%=*}
      valued_opt=$opt
      inlist=''
      (( ${lists[(Ie)$opt]} )) && inlist=1
      if (( ${choosing[(Ie)$opt]} )); then
        pass+=("$word")
        [[ $word != *=* ]] && (( ${valued[(Ie)$opt]} )) && expect=pass
      elif [[ $word != *=* ]] && (( ${valued[(Ie)$opt]} )); then
        expect=skip
      fi
      continue
    fi
    [[ -n $inlist ]] && continue
    (( operands++ ))
    if [[ $kind == new-job ]] && (( operands == 1 )); then
      # the new job's name, then its command line
      shift $j words
      (( CURRENT -= j ))
      _normal
      return
    fi
  done

  if [[ -n $expect && $valued_opt == --host ]]; then
    # the names --host takes (hosts.yaml entries and auto, else ORCH_HOST)
    found=(${(f)"$($words[1] __complete-hosts </dev/null 2>/dev/null)"})
    compadd -- $found
    return
  fi
  if [[ -n $expect || -n $inlist ]]; then _files; return; fi
  if [[ $PREFIX == -* ]]; then compadd -- $opts; return; fi
  case $kind in
    job|active-job)
      (( operands == 0 )) || return 1
      [[ $kind == active-job ]] && pass=(--active $pass)
      found=(${(f)"$($words[1] __complete-jobs $pass </dev/null 2>/dev/null)"})
      compadd -- $found
      ;;
    words:*)
      if (( operands == 0 )); then compadd -- ${(s:,:)kind#words:}; else _files; fi
      ;;
    files) _files ;;
  esac
}

# sourced: register the function; autoloaded from $fpath: this file is its body, so complete now
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _orch "$@"
else
  compdef _orch orch
fi
