import { isWatched, type ApiContext } from './api-context.js';
import { ApiError } from './api-error.js';
import type { ApplyOptions, StoredResource } from './resource-store.js';
import { ResourceStoreError } from './resource-store-error.js';

/** Applies through the resource store, turning its expected failures into API errors. */
export async function applyResource(
  ctx: ApiContext,
  object: StoredResource,
  options: ApplyOptions = {},
): Promise<StoredResource> {
  const what = `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`;
  if (!isWatched(ctx, object.metadata.namespace)) {
    throw new ApiError(
      'FORBIDDEN',
      `namespace ${object.metadata.namespace} is not watched by this controller`,
    );
  }
  try {
    return await ctx.resources.apply(object, options);
  } catch (error) {
    if (error instanceof ResourceStoreError) {
      if (error.code === 'ALREADY_EXISTS') throw new ApiError('CONFLICT', `${what} already exists`);
      if (error.code === 'NOT_FOUND') throw ApiError.notFound(what);
      if (error.code === 'INVALID') {
        throw new ApiError('VALIDATION_FAILED', `${what} was rejected: ${error.message}`, [], {
          cause: error,
        });
      }
    }
    throw error;
  }
}
