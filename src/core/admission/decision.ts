// The pure core's answer. Every rule returns Violations; the engine folds them into one
// Decision, and src/core/admission/review.ts turns a Decision into an AdmissionReview response.
// Shape after controller-runtime's admission.Response constructors (Allowed/Denied/Patched/WithWarnings).
import type { Operation } from 'fast-json-patch';
import { excerpt, MAX_MESSAGE_LENGTH, MAX_VIOLATIONS, MAX_WARNINGS } from '../bounds.js';

import type { ReasonCode } from '../rules/registry.js';

export type { ReasonCode };

export interface Violation {
  /** stable reason code, e.g. "metric-not-served" */
  reason: ReasonCode;
  /** a human sentence naming the object, the field, the value and the fix */
  message: string;
  /** JSON-path-like location of the offending field, e.g. "spec.metrics[0].pods.metric.name" */
  field?: string;
  /**
   * The message in at most ~100 characters, without the object's name, keeping the field or metric, the
   * value and the fix: what `enforcement: warn` sends when the whole message would not fit in an
   * AdmissionResponse warning (120 characters, clipped after that; issue 15).
   */
  short?: string;
}

export interface Decision {
  allowed: boolean;
  /** why it was denied (allowed=false), never empty when denied */
  violations: Violation[];
  /** AdmissionResponse.warnings (each at most 120 characters, see review.ts) */
  warnings: string[];
  /** RFC 6902 patch against the object as received; absent when nothing changes */
  patch?: Operation[];
  /** violations left out of `violations` by the bound on a decision's size (src/core/bounds.ts) */
  omitted?: number;
  /** allowed without being judged, and why (an HPA out of the webhook's scope: admission/hpa-scope.ts); `check` and `audit` show it */
  skipped?: Skipped;
}

export function allow(warnings: string[] = []): Decision {
  return { allowed: true, violations: [], warnings };
}

export function deny(violations: Violation[], warnings: string[] = []): Decision {
  if (violations.length === 0) throw new Error('deny() needs at least one violation');
  return { allowed: false, violations, warnings };
}

/** Why an object is not judged: a stable code (as a violation's reason) and the sentence. */
export interface Skipped {
  reason: string;
  message: string;
}

/** Allowed without being judged: out of the webhook's scope (no patch, no warnings). */
export function skip(skipped: Skipped): Decision {
  return { allowed: true, violations: [], warnings: [], skipped };
}

export function withPatch(decision: Decision, patch: Operation[]): Decision {
  // spelled out rather than spread: an object spread was ~6 % of a mutate decision
  return patch.length > 0 ? { allowed: decision.allowed, violations: decision.violations, warnings: decision.warnings, patch } : decision;
}

/**
 * A decision within the bounds of src/core/bounds.ts: at most MAX_VIOLATIONS violations (the rest
 * counted in `omitted`), at most MAX_WARNINGS warnings (the last saying how many were left out), each
 * message and field at most MAX_MESSAGE_LENGTH characters. The engine returns only bounded decisions,
 * so the AdmissionReview answer, the review log line (its reasons) and `check` output are bounded too.
 */
export function bounded(d: Decision): Decision {
  const clip = (m: string) => excerpt(m, MAX_MESSAGE_LENGTH);
  const small = d.violations.length <= MAX_VIOLATIONS && d.warnings.length <= MAX_WARNINGS;
  if (small && d.violations.every((v) => v.message.length <= MAX_MESSAGE_LENGTH && (v.field?.length ?? 0) <= MAX_MESSAGE_LENGTH) && d.warnings.every((w) => w.length <= MAX_MESSAGE_LENGTH)) {
    return d;
  }
  const violations = d.violations.slice(0, MAX_VIOLATIONS).map((v): Violation => {
    const out: Violation = { reason: v.reason, message: clip(v.message) };
    if (v.field !== undefined) out.field = clip(v.field);
    return out;
  });
  let warnings = d.warnings.map(clip);
  if (warnings.length > MAX_WARNINGS) {
    const left = warnings.length - (MAX_WARNINGS - 1);
    warnings = [...warnings.slice(0, MAX_WARNINGS - 1), `${left.toLocaleString('en-US')} more warnings not shown`];
  }
  const out: Decision = { allowed: d.allowed, violations, warnings };
  if (d.patch !== undefined) out.patch = d.patch;
  if (d.skipped !== undefined) out.skipped = d.skipped;
  const omitted = (d.omitted ?? 0) + d.violations.length - violations.length;
  if (omitted > 0) out.omitted = omitted;
  return out;
}

/** Kubernetes rejects warnings over 120 characters (apiserver truncates / client drops), so clip them here. */
export const MAX_WARNING_LENGTH = 120;
export function clipWarning(w: string): string {
  return w.length <= MAX_WARNING_LENGTH ? w : w.slice(0, MAX_WARNING_LENGTH - 1) + '…';
}
