import { initialSchema } from './0001-initial-schema.js';
import type { Migration } from './migration.js';

/** Every migration of the schema, in order. Append new ones; never edit or reorder applied ones. */
export const allMigrations: readonly Migration[] = [initialSchema];
