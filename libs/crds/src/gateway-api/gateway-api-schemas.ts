import { z } from 'zod';
import { validate as validateGatewayClass } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1GatewayClass';
import { validate as validateGateway } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1Gateway';
import { validate as validateHTTPRoute } from '@kubernetes-models/gateway-api/_schemas/IoK8sSigsGatewayApiApisV1HTTPRoute';
import type { Gateway, GatewayClass, HTTPRoute } from './gateway-api-types.js';

interface Validator {
  (data: unknown): boolean;
  errors?:
    { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string }[] | null;
}

function upstream<T>(validate: Validator, apiVersion: string, kind: string): z.ZodType<T> {
  return z.custom<T>().superRefine((value, ctx) => {
    const obj = value as { apiVersion?: unknown; kind?: unknown } | null;
    if (typeof obj !== 'object' || obj === null || obj.apiVersion !== apiVersion || obj.kind !== kind) {
      ctx.addIssue({ code: 'custom', message: `must be a ${apiVersion} ${kind}`, input: value });
      return;
    }
    if (validate(value)) return;
    for (const e of validate.errors ?? []) {
      const path = e.instancePath
        .split('/')
        .slice(1)
        .map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
      if (e.keyword === 'required') path.push(String(e.params['missingProperty']));
      ctx.addIssue({
        code: 'custom',
        path,
        message:
          e.keyword === 'required'
            ? 'required field is missing'
            : (e.message ?? `fails the ${e.keyword} rule`),
        input: value,
      });
    }
  });
}

/** Gateway API v1 GatewayClass, validated by the upstream schema. */
export const gatewayClassSchema = upstream<GatewayClass>(
  validateGatewayClass,
  'gateway.networking.k8s.io/v1',
  'GatewayClass',
);
/** Gateway API v1 Gateway, validated by the upstream schema. */
export const gatewaySchema = upstream<Gateway>(validateGateway, 'gateway.networking.k8s.io/v1', 'Gateway');
/** Gateway API v1 HTTPRoute, validated by the upstream schema. */
export const httpRouteSchema = upstream<HTTPRoute>(
  validateHTTPRoute,
  'gateway.networking.k8s.io/v1',
  'HTTPRoute',
);
