// The public surface of @agentplane/k8s (curated; see README.md).
export type { KubeObject, ObjectMeta, ObjectRef, OwnerReference, ResourceKind } from './resource-types.js';
export { apiGroup, kindId, kindOf, objectKey, parseObjectKey, refOf } from './resource-types.js';
export type {
  ApplyOptions,
  DeleteOptions,
  ListOptions,
  ResourceSource,
  ResourceStore,
  ResourceWriter,
  WatchEvent,
  WatchEventType,
  WatchHandler,
} from './resource-source.js';
export {
  isConflict,
  isGone,
  isNotFound,
  KubeApiError,
  KubeConfigError,
  ManifestError,
  TerminalReconcileError,
  UnknownKindError,
  WorkloadError,
} from './errors.js';
export { loadKubeConfig, SERVICE_ACCOUNT_DIR } from './kube-config.js';
export type { KubeConnection, LoadedKubeConfig, LoadKubeConfigOptions } from './kube-config.js';
export { KubeClient } from './kube-client.js';
export type { KubeClientOptions, KubeRequestOptions, RawWatchEvent, ResolvedKind } from './kube-client.js';
export { Informer } from './informer.js';
export type { InformerOptions } from './informer.js';
export { KubeResourceStore } from './kube-resource-store.js';
export type { KubeResourceStoreOptions } from './kube-resource-store.js';
export { LocalResourceStore } from './local-resource-store.js';
export type { LocalResourceStoreOptions } from './local-resource-store.js';
export { WorkQueue } from './work-queue.js';
export type { WorkQueueOptions } from './work-queue.js';
export {
  bucketRateLimiter,
  defaultControllerRateLimiter,
  exponentialRateLimiter,
  maxOfRateLimiters,
} from './rate-limiter.js';
export type { BucketRateLimiterOptions, ExponentialRateLimiterOptions, RateLimiter } from './rate-limiter.js';
export { Controller, generationChangedFilter } from './controller.js';
export type {
  ControllerOptions,
  ControllerWatch,
  ReconcileContext,
  Reconciler,
  ReconcileRequest,
  ReconcileResult,
  WatchMapper,
} from './controller.js';
export { applyChildren, DESIRED_HASH_ANNOTATION, updateStatus } from './children-applier.js';
export type { ApplyChildrenOptions, ApplyChildrenResult } from './children-applier.js';
export {
  controllerOf,
  controllerReference,
  isControlledBy,
  setControllerReference,
} from './owner-references.js';
export { LABELS, labelSelectorString, matchesLabels, withAnnotations, withLabels } from './labels.js';
export { canonicalJson, stableHash } from './stable-hash.js';
export {
  findCondition,
  isConditionTrue,
  mergeConditions,
  removeCondition,
  rfc3339,
  setCondition,
} from './conditions.js';
export type { Condition, ConditionInput } from './conditions.js';
export { containsDesired, isUpToDate, statusUpToDate } from './object-compare.js';
export { isNewerVersion } from './resource-version.js';
export { LeaderElector } from './leader-election.js';
export type { LeaderElectorOptions } from './leader-election.js';
export {
  leaderElectionMetrics,
  reconcileMetrics,
  restClientRequests,
  workQueueMetrics,
} from './controller-metrics.js';
export type { LeaderElectionMetrics, ReconcileMetrics, WorkQueueMetrics } from './controller-metrics.js';
export type { WorkloadDriver, WorkloadPhase, WorkloadSpec, WorkloadStatus } from './workload-driver.js';
export { ProcessWorkloadDriver } from './process-workload-driver.js';
export type { ProcessWorkloadDriverOptions } from './process-workload-driver.js';
