# Completes one command line in a real interactive zsh (its line editor on a pty, compinit, the
# script loaded as a user loads it) and writes the edited line to a file: Tab, then a widget
# that dumps $BUFFER. Usage: zsh -f zshComplete.zsh SCRIPT OUT 'orch lo'
zmodload zsh/zpty
local script=$1 out=$2 input=$3
zpty z zsh -f -i
zpty -w z "autoload -U compinit; compinit -u -D; source ${(q)script}; dump() { print -r -- \$BUFFER > ${(q)out}; }; zle -N dump; bindkey '^X' dump"
zpty -n -w z "$input"$'\t\x18'
for i in {1..150}; do [[ -s $out ]] && break; sleep 0.1; done
zpty -d z
[[ -s $out ]]
