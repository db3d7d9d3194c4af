export { InMemoryResourceStore } from './in-memory-resource-store.js';
