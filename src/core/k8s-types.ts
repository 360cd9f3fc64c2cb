// Structural types for the parts of apps/v1 Deployment and autoscaling/v2 HPA the core reads.
// Deliberately loose (everything optional, unknown fields kept): admission input is untrusted and
// the core must never lose a field it does not understand.

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }>;
  [k: string]: unknown;
}

export type Quantityish = string | number;

export interface ResourceRequirements {
  limits?: Record<string, Quantityish>;
  requests?: Record<string, Quantityish>;
  [k: string]: unknown;
}

export interface Container {
  name?: string;
  image?: string;
  resources?: ResourceRequirements;
  [k: string]: unknown;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  tolerations?: Toleration[];
  nodeSelector?: Record<string, string>;
  runtimeClassName?: string;
  [k: string]: unknown;
}

export interface Deployment {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: {
    replicas?: number;
    selector?: unknown;
    template?: { metadata?: ObjectMeta; spec?: PodSpec };
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface MetricTarget {
  type?: string;
  value?: Quantityish;
  averageValue?: Quantityish;
  averageUtilization?: number;
}

export interface MetricIdentifier {
  name?: string;
  selector?: unknown;
}

export interface CrossVersionObjectReference {
  apiVersion?: string;
  kind?: string;
  name?: string;
}

export interface MetricSpec {
  type?: string;
  pods?: { metric?: MetricIdentifier; target?: MetricTarget };
  object?: { metric?: MetricIdentifier; describedObject?: CrossVersionObjectReference; target?: MetricTarget };
  external?: { metric?: MetricIdentifier; target?: MetricTarget };
  resource?: { name?: string; target?: MetricTarget };
  containerResource?: { name?: string; container?: string; target?: MetricTarget };
  [k: string]: unknown;
}

export interface HPAScalingPolicy {
  type?: string;
  value?: number;
  periodSeconds?: number;
}

export interface HPAScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: string;
  policies?: HPAScalingPolicy[];
  tolerance?: Quantityish;
}

export interface HPABehavior {
  scaleUp?: HPAScalingRules;
  scaleDown?: HPAScalingRules;
}

export interface HorizontalPodAutoscaler {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: {
    scaleTargetRef?: CrossVersionObjectReference;
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: MetricSpec[];
    behavior?: HPABehavior;
    [k: string]: unknown;
  };
  [k: string]: unknown;
}
