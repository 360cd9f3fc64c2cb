// admission.k8s.io/v1 AdmissionRequest, as far as the core reads it. The envelope is parsed and
// checked in review.ts; the engine only sees a well-formed request.

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource?: string;
  requestKind?: GroupVersionKind;
  name?: string;
  namespace?: string;
  operation: Operation;
  userInfo?: unknown;
  /** the object as received (CREATE/UPDATE); untrusted */
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
  options?: unknown;
}

/** Which webhook endpoint is deciding. */
export type Endpoint = 'mutate' | 'validate';

/** The pure core's entry point, implemented by src/core/engine.ts. */
export interface Engine {
  mutate(request: AdmissionRequest): import('./decision.js').Decision;
  validate(request: AdmissionRequest): import('./decision.js').Decision;
}
