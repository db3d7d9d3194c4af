import type { DescMessage, Message } from '@bufbuild/protobuf';
import type { DeltaDiscoveryResponse } from '../ads/wire-types.js';
import { XdsInvalidResourceError } from '../errors.js';
import { decodeResource } from '../resource-codec.js';

/** A resource as the client holds it. */
export interface XdsResource<M extends Message = Message> {
  name: string;
  version: string;
  message: M;
}

/**
 * Checks one decoded resource. Return undefined when valid, or the reason it is not. The default
 * (always applied first) requires a `key` field equal to the resource name, when the message has one.
 */
export type XdsResourceValidator = (typeUrl: string, resource: XdsResource) => string | undefined;

/**
 * Checks a whole response against the state it would produce (e.g. that every route's listener
 * exists). Return undefined to accept, or the reason to NACK.
 */
export type XdsResponseValidator = (candidate: {
  typeUrl: string;
  updated: readonly XdsResource[];
  removed: readonly string[];
  next: ReadonlyMap<string, XdsResource>;
}) => string | undefined;

/** A response decoded and validated, ready to apply. */
export interface ValidResponse {
  updated: XdsResource[];
  removed: string[];
}

function keyOf(message: Message): unknown {
  return (message as unknown as Record<string, unknown>)['key'];
}

/**
 * Decodes and validates every resource of a response; throws XdsInvalidResourceError with the
 * reason for the NACK when any resource is malformed, of the wrong type, named twice, both
 * updated and removed, or rejected by a validator.
 */
export function validateResponse(
  response: DeltaDiscoveryResponse,
  schema: DescMessage,
  validator: XdsResourceValidator | undefined,
): ValidResponse {
  const seen = new Set<string>();
  const updated: XdsResource[] = [];
  for (const r of response.resources) {
    if (r.name === '') throw new XdsInvalidResourceError('a resource has no name');
    if (seen.has(r.name)) throw new XdsInvalidResourceError(`resource ${r.name} is named twice`);
    seen.add(r.name);
    if (!r.resource) throw new XdsInvalidResourceError(`resource ${r.name} has no body`);
    if (r.resource.type_url !== response.type_url) {
      throw new XdsInvalidResourceError(
        `resource ${r.name} is a ${r.resource.type_url}, not a ${response.type_url}`,
      );
    }
    const message = decodeResource(schema, r.resource.value);
    const resource: XdsResource = { name: r.name, version: r.version, message };
    const key = keyOf(message);
    if (typeof key === 'string' && key !== r.name) {
      throw new XdsInvalidResourceError(`resource ${r.name} has key ${JSON.stringify(key)}`);
    }
    const reason = validator?.(response.type_url, resource);
    if (reason !== undefined) throw new XdsInvalidResourceError(`resource ${r.name}: ${reason}`);
    updated.push(resource);
  }
  const removed = [...new Set(response.removed_resources)];
  for (const name of removed) {
    if (seen.has(name)) throw new XdsInvalidResourceError(`resource ${name} is both updated and removed`);
  }
  return { updated, removed };
}
