#!/usr/bin/env bash
# The test command: lint, start a real search engine (unless DULUAN_SEARCH_URL names one),
# run the whole suite against it and the embedded store, and stop the engine again.
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
[[ -n "$started" ]] && scripts/opensearch.sh stop
if [[ $rc -eq 5 ]]; then
  echo "pytest collected no tests: that is a failure here" >&2
  exit 1
fi
exit $rc
