# shellcheck shell=bash
# Shared helpers for the deploy/local/*.sh scripts. Source it, don't run it.
#
# Everything downloaded or written at run time lives under $EMPORIA_LOCAL_DIR
# (default: <repo>/.local, git-ignored). Servers bind to 127.0.0.1 only.

set -euo pipefail

EMPORIA_LOCAL_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EMPORIA_REPO_ROOT="$(cd "$EMPORIA_LOCAL_SCRIPTS_DIR/../.." && pwd)"
export EMPORIA_LOCAL_DIR="${EMPORIA_LOCAL_DIR:-$EMPORIA_REPO_ROOT/.local}"

EMPORIA_HOST=127.0.0.1

# Ports (override with the environment variables of the same name).
source "$EMPORIA_LOCAL_SCRIPTS_DIR/ports.sh"

# shellcheck disable=SC2034  # used by up.sh and down.sh
EMPORIA_ALL_SERVICES=(postgres redis kafka elasticsearch mailpit)

# ---------------------------------------------------------------- logging

log() {
  printf '%s [%s] %s\n' "$(date +%H:%M:%S)" "${EMPORIA_LOG_TAG:-local}" "$*" >&2
}

die() {
  log "ERROR: $*"
  exit 1
}

# tail_log FILE [LINES]: print the last lines of a server log to stderr.
tail_log() {
  local file="$1" lines="${2:-40}"
  if [[ -s "$file" ]]; then
    log "---- last $lines lines of $file ----"
    tail -n "$lines" "$file" >&2 || true
    log "---- end of $file ----"
  else
    log "(log $file is missing or empty)"
  fi
}

# Milliseconds since the epoch, for timings.
now_ms() { date +%s%3N; }

# elapsed SINCE_MS -> "1.23s"
elapsed() {
  local ms=$(( $(now_ms) - $1 ))
  printf '%d.%02ds' $((ms / 1000)) $(((ms % 1000) / 10))
}

# ---------------------------------------------------------------- waiting

# wait_until TIMEOUT_S DESCRIPTION CMD [ARGS...]
#   Re-runs CMD (its output discarded) until it succeeds. The probe itself is
#   the readiness check; the short pause between attempts only paces polling.
#   If WAIT_PID is set and that process dies, gives up at once.
#   Returns 0 on success, 1 on timeout or when WAIT_PID died.
wait_until() {
  local timeout_s="$1" what="$2"
  shift 2
  local deadline=$(( $(date +%s) + timeout_s ))
  while true; do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    if [[ -n "${WAIT_PID:-}" ]] && ! pid_alive "$WAIT_PID"; then
      log "$what: process $WAIT_PID exited before becoming ready"
      return 1
    fi
    if (( $(date +%s) >= deadline )); then
      log "$what: not ready after ${timeout_s}s"
      return 1
    fi
    sleep 0.25
  done
}

# ---------------------------------------------------------------- processes

pid_alive() {
  [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null
}

# read_pid FILE -> prints the pid stored in FILE (empty if none).
read_pid() {
  if [[ -f "$1" ]]; then tr -dc '0-9' <"$1"; fi
}

# pid_matches PID PATTERN: the process is alive and its command line contains
# PATTERN (guards against a stale pid file whose pid was reused).
pid_matches() {
  local pid="$1" pattern="$2"
  pid_alive "$pid" || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 0
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$pattern"
}

# running_pid PIDFILE PATTERN -> prints the pid if it is alive and ours.
running_pid() {
  local pid
  pid="$(read_pid "$1")"
  if [[ -n "$pid" ]] && pid_matches "$pid" "$2"; then
    echo "$pid"
  fi
}

# stop_pid PID NAME [TIMEOUT_S]: SIGTERM, wait for exit, SIGKILL as last resort.
stop_pid() {
  local pid="$1" name="$2" timeout_s="${3:-30}"
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  if wait_until "$timeout_s" "$name shutdown" bash -c "! kill -0 $pid 2>/dev/null"; then
    return 0
  fi
  log "$name (pid $pid) did not stop after ${timeout_s}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  wait_until 10 "$name kill" bash -c "! kill -0 $pid 2>/dev/null"
}

# port_open PORT [HOST]: something accepts TCP connections there.
port_open() {
  (exec 3<>"/dev/tcp/${2:-$EMPORIA_HOST}/$1") 2>/dev/null
}

# ensure_port_free PORT NAME: fail clearly if another process holds the port.
ensure_port_free() {
  if port_open "$1"; then
    die "port $1 (for $2) is already in use by another process; stop it or set another port (see deploy/local/README.md)"
  fi
}

# rotate_log FILE: keep the previous run's log as FILE.prev.
rotate_log() {
  if [[ -f "$1" ]]; then
    mv -f "$1" "$1.prev"
  fi
}

# ---------------------------------------------------------------- installing

as_root() {
  if [[ $EUID -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root (or sudo) to run: $*"
  fi
}

# apt_install PACKAGE...: 'apt-get update' (at most once an hour across the
# scripts of one run), then install.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install $* by hand"
  mkdir -p "$EMPORIA_LOCAL_DIR"
  local stamp="$EMPORIA_LOCAL_DIR/.apt-updated" apt_log="$EMPORIA_LOCAL_DIR/apt.log"
  if [[ -z "$(find "$stamp" -mmin -60 2>/dev/null)" ]]; then
    log "apt-get update"
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$apt_log" 2>&1; then
      tail_log "$apt_log" 20
      die "apt-get update failed"
    fi
    touch "$stamp"
  fi
  log "apt-get install $*"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" \
    >>"$apt_log" 2>&1; then
    tail_log "$apt_log" 20
    die "apt-get install $* failed"
  fi
}

# need_cmd COMMAND PACKAGE...: install PACKAGE(s) when COMMAND is missing.
need_cmd() {
  local cmd="$1"
  shift
  if ! command -v "$cmd" >/dev/null 2>&1; then
    apt_install "$@"
    command -v "$cmd" >/dev/null 2>&1 || die "$cmd still missing after installing $*"
  fi
}

ensure_java() {
  need_cmd java openjdk-17-jdk-headless
  need_cmd javac openjdk-17-jdk-headless
  local major
  major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  if [[ "${major%%.*}" -lt 17 ]]; then
    die "java 17+ needed, found java $major (set PATH or JAVA_HOME to a JDK 17)"
  fi
}

ensure_maven() {
  need_cmd mvn maven
}

# sha256 of files, for cache stamps.
checksum() {
  cat "$@" | sha256sum | cut -c1-16
}

# mvn_fetch POM OUTDIR: copy the runtime dependencies of POM into OUTDIR,
# unless OUTDIR is complete for this very POM. Downloads go to a temporary dir
# that is renamed at the end, so an interrupted fetch is never mistaken for a
# complete one.
mvn_fetch() {
  local pom="$1" out="$2" sum
  sum="$(checksum "$pom")"
  if [[ -f "$out/.complete" && "$(cat "$out/.complete")" == "$sum" ]]; then
    return 0
  fi
  ensure_java
  ensure_maven
  log "fetching $(basename "$(dirname "$pom")") jars from Maven Central into $out"
  local tmp="$out.tmp.$$" started
  started="$(now_ms)"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  local mvn_args=(-B -q -f "$pom" dependency:copy-dependencies
    -DincludeScope=runtime -DoutputDirectory="$tmp")
  if ! mvn "${mvn_args[@]}" >"$tmp.log" 2>&1; then
    tail_log "$tmp.log" 40
    rm -rf "$tmp"
    die "maven could not fetch the dependencies of $pom"
  fi
  rm -f "$tmp.log"
  echo "$sum" >"$tmp/.complete"
  rm -rf "$out"
  mv "$tmp" "$out"
  log "fetched $(find "$out" -name '*.jar' | wc -l) jars in $(elapsed "$started")"
}

# javac_build OUTDIR CLASSPATH SOURCE...: compile SOURCE(s) into OUTDIR unless
# already compiled from the same sources.
javac_build() {
  local out="$1" cp="$2"
  shift 2
  local sum
  sum="$(checksum "$@")"
  if [[ -f "$out/.complete" && "$(cat "$out/.complete")" == "$sum" ]]; then
    return 0
  fi
  ensure_java
  rm -rf "$out"
  mkdir -p "$out"
  javac -nowarn -d "$out" -cp "$cp" "$@" || die "javac failed for $*"
  echo "$sum" >"$out/.complete"
}

# ---------------------------------------------------------------- dispatch

# service_main "$@": run start|stop|status|restart|install of the sourcing
# script, which defines svc_start, svc_stop, svc_status and svc_install.
service_main() {
  local action="${1:-}"
  case "$action" in
    start) svc_install && svc_start ;;
    stop) svc_stop ;;
    status) svc_status ;;
    restart) svc_stop && svc_install && svc_start ;;
    install) svc_install ;;
    *)
      echo "usage: $0 start|stop|status|restart|install" >&2
      exit 2
      ;;
  esac
}
