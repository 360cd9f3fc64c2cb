// Whether a pod's existing tolerations already cover one the policy requires, so the webhook adds
// nothing the team already wrote. Semantics follow k8s.io/api/core/v1/toleration.go (MatchToleration /
// ToleratesTaint): an empty key with operator Exists matches every key; an empty effect matches every effect.
import type { Toleration } from './k8s-types.js';

export function covers(existing: Toleration, required: Toleration): boolean {
  const op = existing.operator ?? 'Equal';
  // effect: empty matches all effects
  if (existing.effect && existing.effect !== required.effect) return false;
  // key: empty key + Exists tolerates every taint
  if (!existing.key) {
    if (op !== 'Exists') return false;
  } else if (existing.key !== required.key) {
    return false;
  }
  // value: Exists tolerates any value; Equal only the same value, and cannot stand in for a required Exists
  const reqOp = required.operator ?? 'Equal';
  if (op === 'Exists') return true;
  if (reqOp === 'Exists') return false;
  return (existing.value ?? '') === (required.value ?? '');
}

export function isCovered(existing: Toleration[] | undefined, required: Toleration): boolean {
  return (existing ?? []).some((t) => t !== null && typeof t === 'object' && covers(t, required));
}

export function describeToleration(t: Toleration): string {
  return `${t.key ?? '*'}${t.operator === 'Exists' ? '' : `=${t.value ?? ''}`}:${t.effect ?? '*'}`;
}
