// Stage `shape`: the structure of an opted-in Deployment, before the GPU rules read it (src/core/shape.ts).
import { deploymentShape as shapeOf } from '../shape.js';
import type { Coded, ShapeRule } from './types.js';

const deploymentShapeCodes = { 'api-malformed-object': 'a field the GPU rules read has the wrong type (the API server would refuse it)' } as const;

export const deploymentShape: Coded<ShapeRule, typeof deploymentShapeCodes> = {
  name: 'deployment-shape',
  description: 'the fields of a Deployment the GPU rules read have the types the API server requires',
  origin: 'api-server',
  stage: 'shape',
  kinds: ['Deployment'],
  endpoints: ['mutate', 'validate'],
  codes: deploymentShapeCodes,
  run: (f) => ({ violations: shapeOf(f.dep) }),
};
