// Reading a model catalog file's text (the LLM gateway reads the files; validation lives here).
import { ConfigError } from './errors.js';
import { zodIssues } from './load-config.js';
import type { ModelCatalogModel } from './model.js';
import { modelCatalogText } from './schema/model-catalog.js';

/**
 * Validates a model catalog given as JSON text (e.g. the content of a `config.modelCatalog[].file`).
 * Throws ConfigError whose issue paths start with `path` (e.g. `config.modelCatalog[0].file`).
 */
export function parseModelCatalog(text: string, path: readonly PropertyKey[]): ModelCatalogModel {
  const r = modelCatalogText.safeParse(text);
  if (!r.success) throw new ConfigError('CONFIG_INVALID', zodIssues(r.error.issues, path));
  return r.data;
}
