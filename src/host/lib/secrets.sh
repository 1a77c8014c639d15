# shellcheck shell=bash
# Secrets for jobs (PRODUCT.md §9): the values of `orch run --env` travel on the run call's stdin
# (F_ENV) into the job dir's `env` file, 0600 whatever the log mode, written by printf (a
# builtin, so never in an argv); the command gets them exported (each attempt reads the file
# again); the file goes when the job ends, is stopped, or its runner is found gone. The text is
# one NAME=VALUE per line, the value with "\" written "\\" and a newline "\n" (secretEnv.ts), so
# printf %b gives it back exactly.

# secrets_store DIR TEXT: the env file, owner-only (nothing when TEXT is empty).
secrets_store() {
  [ -n "$2" ] || return 0
  ( umask 077; printf '%s' "$2" > "$1/env" )
}

# secrets_export DIR: exports every variable of the env file into this shell.
secrets_export() {
  local line v
  [ -f "$1/env" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case $line in [A-Za-z_]*=*) ;; *) continue ;; esac
    printf -v v '%b' "${line#*=}"
    export "${line%%=*}=$v"
  done < "$1/env"
}

# secrets_drop DIR: the job has ended (or its runner is gone): its secrets go.
secrets_drop() {
  [ ! -e "$1/env" ] || rm -f -- "$1/env"
}
