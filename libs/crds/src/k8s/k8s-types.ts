// TypeScript types of the Kubernetes core types, taken from kubernetes-models.
import type { IAffinity } from 'kubernetes-models/v1/Affinity';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvFromSource } from 'kubernetes-models/v1/EnvFromSource';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { ILocalObjectReference } from 'kubernetes-models/v1/LocalObjectReference';
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import type { ICondition } from '@kubernetes-models/apimachinery/apis/meta/v1/Condition';
import type { ILabelSelector } from '@kubernetes-models/apimachinery/apis/meta/v1/LabelSelector';

export type {
  IAffinity as Affinity,
  IContainer as Container,
  IEnvFromSource as EnvFromSource,
  IEnvVar as EnvVar,
  ILocalObjectReference as LocalObjectReference,
  IPodSecurityContext as PodSecurityContext,
  IProbe as Probe,
  IResourceRequirements as ResourceRequirements,
  ISecurityContext as SecurityContext,
  IToleration as Toleration,
  IVolume as Volume,
  IVolumeMount as VolumeMount,
  ICondition as Condition,
  ILabelSelector as LabelSelector,
};

/** Kubernetes definition name → its TypeScript type. */
export interface K8sTypes {
  'io.k8s.api.core.v1.Affinity': IAffinity;
  'io.k8s.api.core.v1.Container': IContainer;
  'io.k8s.api.core.v1.EnvFromSource': IEnvFromSource;
  'io.k8s.api.core.v1.EnvVar': IEnvVar;
  'io.k8s.api.core.v1.LocalObjectReference': ILocalObjectReference;
  'io.k8s.api.core.v1.PodSecurityContext': IPodSecurityContext;
  'io.k8s.api.core.v1.Probe': IProbe;
  'io.k8s.api.core.v1.ResourceRequirements': IResourceRequirements;
  'io.k8s.api.core.v1.SecurityContext': ISecurityContext;
  'io.k8s.api.core.v1.Toleration': IToleration;
  'io.k8s.api.core.v1.Volume': IVolume;
  'io.k8s.api.core.v1.VolumeMount': IVolumeMount;
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition': ICondition;
  'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector': ILabelSelector;
}
