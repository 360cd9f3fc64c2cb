// Stage `gate`: a profile limited by a namespaceSelector is used only in namespaces it matches (issue 17).
import { verifyProfileAllowed } from '../validate/deployment.js';
import type { Coded, DeploymentRule } from './types.js';

const profileNamespaceCodes = { 'profile-not-allowed': "the namespace's labels do not match the profile's namespaceSelector, or are not known yet" } as const;

export const profileNamespace: Coded<DeploymentRule, typeof profileNamespaceCodes> = {
  name: 'profile-namespace',
  description: "the profile a Deployment picks is allowed in its namespace (the profile's namespaceSelector)",
  origin: 'policy',
  stage: 'gate',
  kinds: ['Deployment'],
  endpoints: ['mutate', 'validate'],
  codes: profileNamespaceCodes,
  run: (f) => verifyProfileAllowed(f.settings, f.namespace, f.ctx.cluster.namespaceLabels?.(f.namespace), f.ctx.cluster.complete),
};
