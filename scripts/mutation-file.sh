#!/usr/bin/env bash
# One core file's mutation run with only its own unit tests (issue 19; docs/testing.md "Per file").
#   scripts/mutation-file.sh src/core/quantity.ts [extra test globs...]
# Tests: test/core/<dir>/<name>*.test.ts (e.g. quantity.test.ts and quantity.edges.test.ts), plus any
# globs given. Each mutant then starts one or two small node processes instead of the suite.
# Incremental: each file keeps its own cache (reports/mutation/files/<name>.incremental.json), so a
# re-run after adding a test re-tests only the survivors that test reaches. Report:
# reports/mutation/files/<name>.json, scored by scripts/mutation-score.ts (exit 1 below 85 %).
# Timeout: stryker.config.mjs's timeoutMS (120000, the same for every run; the reason is there).
set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:?usage: scripts/mutation-file.sh src/core/<file>.ts [extra test globs...]}"
shift
[ -f "$src" ] || { echo "mutation-file: $src does not exist" >&2; exit 2; }
case "$src" in src/core/*.ts) ;; *) echo "mutation-file: $src is not a file of src/core/" >&2; exit 2 ;; esac
rel="${src#src/core/}"
tests="test/core/${rel%.ts}*.test.ts"
if ! compgen -G "$tests" >/dev/null; then
  # files whose unit tests are named after a concept, not the file (docs/testing.md lists them)
  [ $# -gt 0 ] || { echo "mutation-file: no unit test matches $tests; name the tests that exercise $src after it" >&2; exit 2; }
  tests=""
fi
for g in "$@"; do tests="${tests:+$tests,}$g"; done
# the files whose string literals scripts/mutation-score.ts leaves out: do not run those mutants at all
exclude=""
if sed -n '/^export const STRINGS_EXCLUDED = \[/,/^\];/p' scripts/mutation-score.ts | grep -qF "'$src',"; then exclude="StringLiteral"; fi
name="$(echo "${rel%.ts}" | tr / -)"
mkdir -p reports/mutation/files
echo "mutation-file: mutating $src with ${tests//,/ }"
MUTATION_EXCLUDE="$exclude" MUTATION_FILES="$src" MUTATION_TESTS="$tests" MUTATION_REPORT="reports/mutation/files/$name.json" nice -n 19 node_modules/.bin/stryker run \
  --incrementalFile "reports/mutation/files/$name.incremental.json" \
  --reporters clear-text,json,progress || status=$?
# Stryker exits 1 under its overall break threshold; the per-file table is still wanted then
node --import tsx scripts/mutation-score.ts "reports/mutation/files/$name.json" || status=$?
exit "${status:-0}"
