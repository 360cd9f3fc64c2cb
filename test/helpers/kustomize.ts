// The pinned kustomize (scripts/install-kustomize.sh puts it into $(go env GOPATH)/bin), for the tests
// that render manifests/ and overlays/: the chart test and the e2e installs.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The kustomize binary: the first on PATH, else ~/go/bin/kustomize. */
export function kustomizeBin(): string {
  const candidates = [
    ...(process.env.PATH ?? '')
      .split(':')
      .filter(Boolean)
      .map((d) => join(d, 'kustomize')),
    join(homedir(), 'go', 'bin', 'kustomize'),
  ];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error('kustomize not found: bash scripts/install-kustomize.sh');
  return found;
}

/** `kustomize build dir`, as the list of objects it prints. */
export function kustomizeBuild<T = unknown>(dir: string): T[] {
  const out = execFileSync(kustomizeBin(), ['build', dir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as T)
    .filter(Boolean);
}
