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

const backendAuthStrict = oneOfKeys(
  'backendAuth',
  {},
  {
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
  },
);
export const backendAuth = backendAuthStrict;
