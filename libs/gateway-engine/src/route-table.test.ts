import { loadConfig } from '@agentplane/gateway-config';
import { describe, expect, it } from 'vitest';
import { RouteTable, type RequestFacts } from './route-table.js';

const cfg = `
binds:
- port: 1
  listeners:
  - hostname: "*.example.com"
    routes:
    - name: wild
      backends: [{host: "a:1"}]
  - routes:
    - name: fallback
      backends: [{host: "a:1"}]
    - name: api
      matches: [{path: {pathPrefix: /api}}]
      backends: [{host: "a:1"}]
    - name: api-v2
      matches: [{path: {pathPrefix: /api/v2/}}]
      backends: [{host: "a:1"}]
    - name: exact
      matches: [{path: {exact: /api/v2/health}}]
      backends: [{host: "a:1"}]
    - name: post-json
      matches:
      - path: {pathPrefix: /api}
        method: POST
        headers: [{name: Content-Type, value: {regex: "application/json.*"}}]
        query: [{name: debug, value: {exact: "1"}}]
      backends: [{host: "a:1"}]
    - name: host-specific
      hostnames: [special.local]
      backends: [{host: "a:1"}]
`;
const table = new RouteTable(loadConfig(cfg, { env: {} }).model.binds[0]?.listeners ?? []);
const req = (
  path: string,
  extra: Partial<RequestFacts> = {},
  headers: Record<string, string> = {},
): RequestFacts => ({
  host: 'localhost',
  path,
  method: 'GET',
  headers: (n) => headers[n],
  query: new URLSearchParams(),
  ...extra,
});
const pick = (r: RequestFacts) => table.select(r)?.route.name;

describe('RouteTable', () => {
  it('prefers exact paths, then longer prefixes, on segment boundaries', () => {
    expect(pick(req('/'))).toBe('fallback');
    expect(pick(req('/api'))).toBe('api');
    expect(pick(req('/apix'))).toBe('fallback');
    expect(pick(req('/api/v2/x'))).toBe('api-v2');
    expect(pick(req('/api/v2/health'))).toBe('exact');
    expect(table.select(req('/api/v2/x'))?.matchedPrefix).toBe('/api/v2');
  });
  it('prefers matches with method, header and query conditions', () => {
    const r = req(
      '/api/x',
      { method: 'POST', query: new URLSearchParams('debug=1') },
      { 'content-type': 'application/json; charset=utf-8' },
    );
    expect(pick(r)).toBe('post-json');
    expect(pick({ ...r, query: new URLSearchParams('debug=2') })).toBe('api');
  });
  it('selects listeners and routes by hostname', () => {
    expect(pick(req('/', { host: 'foo.example.com' }))).toBe('wild');
    expect(pick(req('/', { host: 'special.local' }))).toBe('host-specific');
  });
});
