import type { ParseResult, ResourceIssue } from '@agentplane/crds/kagent';
import { ApiError } from './api-error.js';
import { isResourceName } from './agent-id.js';
import { RESOURCE_API_VERSIONS, type ResourceKind, type StoredResource } from './resource-store.js';
import { validationError } from './validate.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a resource sent by a client with the kind's parser from `@agentplane/crds` and
 * returns what to apply: apiVersion and kind filled in, the namespace defaulted, the metadata
 * reduced to name/namespace/labels/annotations, the spec as parsed (unknown fields dropped,
 * defaults applied) and no status (status belongs to the controller). Problems are a 400 naming
 * each field.
 */
export function resourceFromBody(
  kind: ResourceKind,
  body: unknown,
  parse: (input: unknown) => ParseResult<{ spec: unknown }>,
  defaultNamespace: string,
  pathPrefix = '',
): StoredResource {
  if (!isObject(body)) throw ApiError.invalidField(pathPrefix || '', 'must be a JSON object');
  const at = (path: string): string => (pathPrefix ? `${pathPrefix}.${path}` : path);
  const metadata = isObject(body['metadata']) ? body['metadata'] : {};
  const name = metadata['name'];
  const namespace = metadata['namespace'] ?? defaultNamespace;
  const issues: ResourceIssue[] = [];
  if (typeof name !== 'string' || name === '')
    issues.push({ path: at('metadata.name'), message: 'is required' });
  else if (!isResourceName(name)) {
    issues.push({ path: at('metadata.name'), message: 'must be a lowercase RFC 1123 name' });
  }
  if (typeof namespace !== 'string' || !isResourceName(namespace)) {
    issues.push({ path: at('metadata.namespace'), message: 'must be a lowercase RFC 1123 name' });
  }
  if (body['apiVersion'] !== undefined && body['apiVersion'] !== RESOURCE_API_VERSIONS[kind]) {
    issues.push({ path: at('apiVersion'), message: `must be ${RESOURCE_API_VERSIONS[kind]}` });
  }
  if (body['kind'] !== undefined && body['kind'] !== kind) {
    issues.push({ path: at('kind'), message: `must be ${kind}` });
  }
  if (issues.length > 0) throw validationError(issues);
  const meta = {
    name: name as string,
    namespace: namespace as string,
    ...(isObject(metadata['labels']) ? { labels: metadata['labels'] as Record<string, string> } : {}),
    ...(isObject(metadata['annotations'])
      ? { annotations: metadata['annotations'] as Record<string, string> }
      : {}),
  };
  const candidate = { apiVersion: RESOURCE_API_VERSIONS[kind], kind, metadata: meta, spec: body['spec'] };
  const parsed = parse(candidate);
  if (!parsed.ok) {
    throw validationError(parsed.error.issues.map((i) => ({ path: at(i.path), message: i.message })));
  }
  return { apiVersion: RESOURCE_API_VERSIONS[kind], kind, metadata: meta, spec: parsed.value.spec };
}
