#!/usr/bin/env bash
# CI's share of mutation testing (issue 19; docs/testing.md). The full run (`npm run test:mutation`)
# takes hours at concurrency 1 on a shared 2-core machine, so CI mutates a small set:
# - with MUTATION_BASE=<rev>: the rule files changed between <rev> and HEAD (e.g. a branch's merge base);
# - without it (as .ci/run calls it): src/core/validate/hpa-safety.ts, the GPU safety rules, as a
#   standing check that the setup works and that file stays at or above the target.
# Tests: the unit tests (test/core/), whose per-file coverage keeps each mutant to a few processes.
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
files="${files:-src/core/validate/hpa-safety.ts}"
echo "mutation-ci: mutating ${files//,/ }"
rm -f reports/mutation/mutation.json
# a fresh measurement (--force: every mutant, whatever an incremental file says; docs/testing.md)
MUTATION_FILES="$files" MUTATION_TESTS="${MUTATION_TESTS:-test/core/**/*.test.ts}" \
  nice -n 19 npx stryker run --force --reporters clear-text,json,progress
node --import tsx scripts/mutation-score.ts reports/mutation/mutation.json
