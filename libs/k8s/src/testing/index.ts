export { metricSum, writeRequests } from './metrics.js';
