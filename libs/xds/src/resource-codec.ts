import { createHash } from 'node:crypto';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { XdsInvalidResourceError } from './errors.js';

/** Encodes a resource message to the bytes carried in `Any.value`. */
export function encodeResource<Desc extends DescMessage>(
  schema: Desc,
  message: MessageShape<Desc>,
): Uint8Array {
  return toBinary(schema, message);
}

/** Decodes `Any.value`; throws XdsInvalidResourceError on malformed bytes. */
export function decodeResource<Desc extends DescMessage>(
  schema: Desc,
  bytes: Uint8Array,
): MessageShape<Desc> {
  try {
    return fromBinary(schema, bytes);
  } catch (err) {
    throw new XdsInvalidResourceError(`cannot decode ${schema.typeName}`, { cause: err });
  }
}

/** A content version: equal bytes give equal versions, so unchanged resources are never resent. */
export function contentVersion(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url').slice(0, 22);
}
