#!/usr/bin/env bash
# The test command: lint, start a real search engine (unless DULUAN_SEARCH_URL names one),
# run the whole suite against it and the embedded store, and stop the engine again.
# When the local node is OpenSearch 3, the index contract tests then run once more against
# an OpenSearch 2 node: the mapping and the query API must work on both.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ruff check . || exit 1
scripts/system-deps.sh || exit 1

started=""
if [[ -n "${DULUAN_SEARCH_URL:-}" ]]; then
  export DULUAN_TEST_SEARCH_URL="$DULUAN_SEARCH_URL"
  echo "tests use the engine at $DULUAN_TEST_SEARCH_URL"
else
  url="$(scripts/opensearch.sh start)" || exit 1
  export DULUAN_TEST_SEARCH_URL="$url"
  started=1
  echo "tests use a local OpenSearch node at $url"
fi
# The stores under test are chosen explicitly; nothing may fall back to the user's settings.
unset DULUAN_SEARCH_URL DULUAN_DATA_DIR DULUAN_CONFIG

python -m pytest "$@"
rc=$?
major=""
if [[ -n "$started" ]]; then
  major="$(curl -fsS "$DULUAN_TEST_SEARCH_URL" | python -c 'import json, sys; print(json.load(sys.stdin)["version"]["number"][0])')"
  scripts/opensearch.sh stop
fi
if [[ $rc -eq 0 && "$major" == "3" && $# -eq 0 ]]; then
  export DULUAN_ENGINE_VERSION=2 DULUAN_ENGINE_DIR="$PWD/.engine/opensearch2" DULUAN_ENGINE_BASE_PORT=9280
  if url="$(scripts/opensearch.sh start)"; then
    echo "index contract tests again, on OpenSearch 2 at $url"
    DULUAN_TEST_SEARCH_URL="$url" python -m pytest tests/test_index.py -k engine -q
    rc=$?
    scripts/opensearch.sh stop
  else
    rc=1
  fi
fi
if [[ $rc -eq 5 ]]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit $rc
