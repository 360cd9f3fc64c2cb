#!/usr/bin/env bash
# CI's share of mutation testing (issue 19; docs/testing.md). The full run (`npm run test:mutation`)
# takes hours at concurrency 1 on a shared 2-core machine, so CI mutates a small set:
# - with MUTATION_BASE=<rev>: the rule files changed between <rev> and HEAD (e.g. a branch's merge base);
# - without it (as .ci/run calls it): src/core/validate/hpa-safety.ts, the GPU safety rules, as a
#   standing check that the setup works and that file stays at or above the target.
# Tests: for hpa-safety.ts its own unit tests (test/core/validate/hpa-safety*.test.ts: two node
# processes for the initial run, one or two per mutant, about 1.3 s of CPU each, which keeps CI's
# share to minutes); with MUTATION_BASE, every unit test (test/core/), as the changed files are not
# known in advance. MUTATION_TESTS overrides either.
# Exits non-zero when Stryker fails or any mutated target file scores below 85 % (scripts/mutation-score.ts).
set -euo pipefail
cd "$(dirname "$0")/.."

files=""
if [ -n "${MUTATION_BASE:-}" ]; then
  git rev-parse -q --verify "${MUTATION_BASE}^{commit}" >/dev/null || { echo "mutation-ci: MUTATION_BASE=${MUTATION_BASE} is not a commit" >&2; exit 2; }
  files="$(git diff --name-only --diff-filter=d "$MUTATION_BASE" HEAD -- src/core/validate src/core/mutate src/core/adapter src/core/annotations.ts src/core/quantity.ts \
    | grep '\.ts$' | grep -v '^src/core/adapter/types\.ts$' | paste -sd, - || true)"
  if [ -z "$files" ]; then echo "mutation-ci: no rule file changed since ${MUTATION_BASE}; nothing to mutate"; exit 0; fi
fi
tests="test/core/**/*.test.ts"
if [ -z "$files" ]; then files=src/core/validate/hpa-safety.ts; tests="test/core/validate/hpa-safety*.test.ts"; fi
echo "mutation-ci: mutating ${files//,/ } with ${MUTATION_TESTS:-$tests}"
mkdir -p reports/mutation
report=reports/mutation/ci.json
rm -f "$report"
# A fresh measurement that depends on no earlier run: --force tests every mutant whatever an
# incremental file says, and the run keeps its own incremental file and report, so it neither reads
# nor overwrites the full run's (reports/mutation/stryker-incremental.json, mutation.json) or a
# per-file run's (reports/mutation/files/).
MUTATION_FILES="$files" MUTATION_TESTS="${MUTATION_TESTS:-$tests}" MUTATION_REPORT="$report" \
  nice -n 19 node_modules/.bin/stryker run --force --incrementalFile reports/mutation/ci.incremental.json \
  --reporters clear-text,json,progress || status=$?
# Stryker exits 1 under its overall break threshold (85 %); the per-file check runs anyway, for its table
node --import tsx scripts/mutation-score.ts "$report" || status=$?
echo "mutation-ci: ${SECONDS} s"
exit "${status:-0}"
