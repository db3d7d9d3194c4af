import { z } from 'zod';
import { authorizationLocation, fileOrInline, oneOfKeys } from './common.js';

/** A key that agentgateway knows but this gateway does not implement yet: present → error. */
export const unsupported = (what: string) =>
  z.unknown().refine((v) => v === null, { message: `${what} is not supported by this gateway yet` });

export const backendTLS = z.strictObject({
  cert: z.string().nullish(),
  key: z.string().nullish(),
  root: z.string().nullish(),
  hostname: z.string().nullish(),
  insecure: z.boolean().optional(),
  insecureHost: z.boolean().optional(),
  alpn: z.array(z.string()).nullish(),
  subjectAltNames: z.array(z.string()).nullish(),
  keyExchangeGroups: unsupported('backendTLS.keyExchangeGroups').optional(),
  spiffe: unsupported('backendTLS.spiffe').optional(),
});

const authVariants = {
  passthrough: z.strictObject({ location: authorizationLocation.nullish() }),
  key: z.union([
    fileOrInline,
    z.strictObject({ value: fileOrInline, location: authorizationLocation.nullish() }),
  ]),
  gcp: unsupported('backendAuth.gcp'),
  aws: unsupported('backendAuth.aws'),
  azure: unsupported('backendAuth.azure'),
  jwtSign: unsupported('backendAuth.jwtSign'),
  oauthTokenExchange: unsupported('backendAuth.oauthTokenExchange'),
  crossAppAccess: unsupported('backendAuth.crossAppAccess'),
  credentials: unsupported('backendAuth.credentials'),
};

/** `backendAuth` of routes and plain backends. */
export const backendAuth = oneOfKeys('backendAuth', {}, authVariants);

/**
 * `backendAuth.aws`: SigV4 signing, with explicit credentials or the environment's
 * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
 */
export const awsAuth = z.union([
  z.strictObject({
    accessKeyId: z.string().min(1),
    secretAccessKey: z.string().min(1),
    region: z.string().nullish(),
    sessionToken: z.string().nullish(),
    serviceName: z.string().nullish(),
  }),
  z.strictObject({
    serviceName: z.string().nullish(),
    region: z.string().nullish(),
    assumeRole: unsupported('backendAuth.aws.assumeRole').optional(),
  }),
]);

/** `backendAuth` of LLM providers (`ai` backends, `llm.models[].auth`): AWS signing too. */
export const llmBackendAuth = oneOfKeys('backendAuth', {}, { ...authVariants, aws: awsAuth });
