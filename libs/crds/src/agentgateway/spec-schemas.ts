// Schemas of the agentgateway.dev/v1alpha1 resources' spec and status, field for field as the
// upstream API defines them. Subschemas used in several places are named once.
import { z } from 'zod';
import { conditionSchema } from '../common/conditions.js';
import { allRules, atLeastOneOf, atMostOneOf, exactlyOneOf } from '../common/field-rules.js';
import { anyJson, intOrString, maxProperties, preservedObject } from '../common/meta.js';
import { k8sType } from '../k8s/k8s-type.js';

const azureSchema = z.object({
  apiVersion: z.string().min(1).max(64).optional(),
  model: z.string().min(1).max(256).optional(),
  projectName: z.string().min(1).max(256).optional(),
  resourceName: z.string().min(1).max(256),
  resourceType: z.enum(['Foundry', 'OpenAI']),
});

const bedrockSchema = z.object({
  guardrail: z
    .object({
      identifier: z.string().min(1).max(256),
      version: z.string().min(1).max(256),
    })
    .optional(),
  model: z.string().min(1).max(256).optional(),
  region: z.string().min(1).max(63).regex(new RegExp('^[a-z0-9-]+$')).default('us-east-1'),
});

const backendRefSchema = z.object({
  group: z
    .string()
    .max(253)
    .regex(new RegExp('^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'))
    .default(''),
  kind: z
    .string()
    .min(1)
    .max(63)
    .regex(new RegExp('^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$'))
    .default('Service'),
  name: z.string().min(1).max(253),
  port: z.int().min(1).max(65535).meta({ format: 'int32' }).optional(),
});

const customSchema = z.object({
  backendRef: backendRefSchema.optional(),
  formats: z
    .array(
      z.object({
        path: z.string().min(1).max(1024).optional(),
        type: z.enum([
          'AnthropicTokenCount',
          'Completions',
          'Embeddings',
          'Messages',
          'Realtime',
          'Rerank',
          'Responses',
        ]),
      }),
    )
    .min(1)
    .max(6)
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
  model: z.string().min(1).max(256).optional(),
});

const policySchema = z.object({
  input: z
    .object({
      mode: z.enum(['Block', 'Score']),
    })
    .optional(),
  output: z
    .object({
      mode: z.enum(['Block', 'Score']),
    })
    .optional(),
});

const moderationSchema = z.object({
  model: z.string().min(1).max(256).default('omni-moderation-latest'),
  policy: policySchema.optional(),
});

const openaiSchema = z.object({
  model: z.string().min(1).max(256).optional(),
  moderation: moderationSchema.optional(),
});

const promptSchema = z.object({
  append: z
    .array(
      z.object({
        content: z.string(),
        role: z.string(),
      }),
    )
    .optional(),
  prepend: z
    .array(
      z.object({
        content: z.string(),
        role: z.string(),
      }),
    )
    .optional(),
});

const promptCachingSchema = z.object({
  cacheMessageOffset: z.int().min(0).default(0),
  cacheMessages: z.boolean().default(true),
  cacheSystem: z.boolean().default(true),
  cacheTools: z.boolean().default(false),
  minTokens: z.int().min(0).default(1024),
});

const tagsSchema = z
  .array(
    z.object({
      expression: z.string().min(1).max(16384).optional(),
      key: z.string().min(1).max(128),
      value: z.string().max(256).optional(),
    }),
  )
  .max(50)
  .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['key'] });

const assumeRoleSchema = z
  .object({
    roleArn: z.string().min(1).regex(new RegExp('^arn:aws[a-z-]*:iam::[0-9]{12}:role/.+$')),
    sessionName: z.string().regex(new RegExp('^[\\w+=,.@-]{2,64}$')).optional(),
    sessionNameExpression: z.string().min(1).max(16384).optional(),
    tags: tagsSchema.optional(),
  })
  .superRefine(atMostOneOf(['sessionName', 'sessionNameExpression']));

const awsSchema = z
  .object({
    assumeRole: assumeRoleSchema.optional(),
    region: z.string().min(1).max(256).optional(),
    secretRef: z
      .object({
        group: z.string().optional(),
        kind: z.string().optional(),
        name: z.string().min(1).max(253),
      })
      .meta({ 'x-kubernetes-map-type': 'atomic' })
      .optional(),
    serviceName: z.string().min(1).max(256).optional(),
  })
  .superRefine(atMostOneOf(['secretRef', 'assumeRole']));

const locationSchema = z
  .object({
    cookie: z
      .object({
        name: z.string().min(1).max(256),
      })
      .optional(),
    header: z
      .object({
        name: z.string().min(1).max(256).regex(new RegExp("^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$")),
        prefix: z.string().min(1).max(256).optional(),
      })
      .optional(),
    queryParameter: z
      .object({
        name: z.string().min(1).max(256),
      })
      .optional(),
  })
  .superRefine(exactlyOneOf(['header', 'queryParameter', 'cookie']));

const secretRefSchema = z
  .object({
    group: z.string().optional(),
    key: z.string().min(1).max(253).optional(),
    kind: z.string().optional(),
    name: z.string().min(1).max(253),
  })
  .meta({ 'x-kubernetes-map-type': 'atomic' });

const authSchema = z
  .object({
    aws: awsSchema.optional(),
    key: z.string().max(2048).optional(),
    location: locationSchema.optional(),
    secretRef: secretRefSchema.optional(),
  })
  .superRefine(exactlyOneOf(['key', 'secretRef', 'aws']));

const tcpSchema = z.object({
  connectTimeout: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).optional(),
  keepalive: z
    .object({
      interval: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).optional(),
      retries: z.int().min(1).max(64).meta({ format: 'int32' }).optional(),
      time: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).optional(),
    })
    .optional(),
});

const mtlsCertificateRefSchema = z
  .array(
    z
      .object({
        group: z.string().optional(),
        kind: z.string().optional(),
        name: z.string().min(1).max(253),
      })
      .meta({ 'x-kubernetes-map-type': 'atomic' }),
  )
  .max(1)
  .meta({ 'x-kubernetes-list-type': 'atomic' });

const tlsSchema = z
  .object({
    alpnProtocols: z.array(z.string().min(1).max(64)).min(1).max(16).optional(),
    caCertificateRefs: z
      .array(
        z
          .object({
            kind: z.enum(['ConfigMap', 'Secret']).default('ConfigMap'),
            name: z.string().min(1).max(253),
          })
          .meta({ 'x-kubernetes-map-type': 'atomic' }),
      )
      .max(1)
      .meta({ 'x-kubernetes-list-type': 'atomic' })
      .optional(),
    certificateSource: z.enum(['Inline', 'SPIFFE']).default('Inline'),
    insecureSkipVerify: z.enum(['All', 'Hostname']).optional(),
    keyExchangeGroups: z.array(z.enum(['P-256', 'P-384', 'X25519', 'X25519_MLKEM768'])).optional(),
    mtlsCertificateRef: mtlsCertificateRefSchema.optional(),
    sni: z
      .string()
      .min(1)
      .max(253)
      .regex(new RegExp('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'))
      .optional(),
    verifySubjectAltNames: z.array(z.string().min(1).max(256)).min(1).max(16).optional(),
  })
  .superRefine(atMostOneOf(['verifySubjectAltNames', 'insecureSkipVerify']));

const backendRefSchema2 = z.object({
  group: z
    .string()
    .max(253)
    .regex(new RegExp('^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'))
    .default(''),
  kind: z
    .string()
    .min(1)
    .max(63)
    .regex(new RegExp('^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$'))
    .default('Service'),
  name: z.string().min(1).max(253),
  namespace: z.string().min(1).max(63).regex(new RegExp('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')).optional(),
  port: z.int().min(1).max(65535).meta({ format: 'int32' }).optional(),
});

const tunnelSchema = z
  .object({
    backendRef: backendRefSchema2.optional(),
    url: z.string().min(1).max(1024).regex(new RegExp('^https?://[^/?#@]+(/[^?#]*)?$')).optional(),
  })
  .superRefine(exactlyOneOf(['backendRef', 'url']));

const policiesSchema = z
  .object({
    auth: authSchema.optional(),
    http: z
      .object({
        requestTimeout: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).optional(),
        version: z.enum(['HTTP1', 'HTTP2']).optional(),
      })
      .optional(),
    tcp: tcpSchema.optional(),
    tls: tlsSchema.optional(),
    tunnel: tunnelSchema.optional(),
  })
  .superRefine(atLeastOneOf(['auth', 'http', 'tcp', 'tls', 'tunnel']));

const bedrockGuardrailsSchema = z.object({
  identifier: z.string().min(1).max(256),
  policies: policiesSchema.optional(),
  region: z.string().min(1).max(256),
  version: z.string().min(1).max(256),
});

const gcpSchema = z.object({
  audience: z.string().min(1).max(256).optional(),
  secretRef: secretRefSchema.optional(),
  type: z.enum(['AccessToken', 'IdToken']).optional(),
});

const authSchema2 = z
  .object({
    gcp: gcpSchema.optional(),
  })
  .superRefine(exactlyOneOf(['gcp']));

const policiesSchema2 = z
  .object({
    auth: authSchema2.optional(),
    http: z
      .object({
        requestTimeout: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).optional(),
        version: z.enum(['HTTP1', 'HTTP2']).optional(),
      })
      .optional(),
    tcp: tcpSchema.optional(),
    tls: tlsSchema.optional(),
    tunnel: tunnelSchema.optional(),
  })
  .superRefine(atLeastOneOf(['auth', 'http', 'tcp', 'tls', 'tunnel']));

const googleModelArmorSchema = z.object({
  location: z.string().min(1).max(256).default('us-central1'),
  policies: policiesSchema2.optional(),
  projectId: z.string().min(1).max(256),
  templateId: z.string().min(1).max(256),
});

const authSchema3 = z
  .object({
    key: z.string().max(2048).optional(),
    location: locationSchema.optional(),
    secretRef: secretRefSchema.optional(),
  })
  .superRefine(exactlyOneOf(['key', 'secretRef']));

const policiesSchema3 = z
  .object({
    auth: authSchema3.optional(),
    http: z
      .object({
        requestTimeout: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).optional(),
        version: z.enum(['HTTP1', 'HTTP2']).optional(),
      })
      .optional(),
    tcp: tcpSchema.optional(),
    tls: tlsSchema.optional(),
    tunnel: tunnelSchema.optional(),
  })
  .superRefine(atLeastOneOf(['auth', 'http', 'tcp', 'tls', 'tunnel']));

const openAIModerationSchema = z.object({
  model: z.string().optional(),
  policies: policiesSchema3.optional(),
});

const regexSchema = z.object({
  action: z.enum(['Mask', 'Reject']).default('Mask'),
  builtins: z.array(z.enum(['CaSin', 'CreditCard', 'Email', 'PhoneNumber', 'Ssn'])).optional(),
  matches: z.array(z.string().min(1).max(1024)).optional(),
});

const forwardHeaderMatchesSchema = z.array(
  z.object({
    name: z.string().min(1).max(256).regex(new RegExp("^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$")),
    type: z.enum(['Exact', 'RegularExpression']).default('Exact'),
    value: z.string().min(1).max(4096),
  }),
);

const webhookSchema = z.object({
  backendRef: backendRefSchema2,
  failureMode: z.enum(['FailClosed', 'FailOpen']).optional(),
  forwardHeaderMatches: forwardHeaderMatchesSchema.optional(),
  headers: z
    .record(z.string(), z.string().min(1).max(16384))
    .superRefine(maxProperties(64))
    .meta({ maxProperties: 64 })
    .optional(),
});

const itemSchema = z
  .object({
    bedrockGuardrails: bedrockGuardrailsSchema.optional(),
    googleModelArmor: googleModelArmorSchema.optional(),
    openAIModeration: openAIModerationSchema.optional(),
    regex: regexSchema.optional(),
    response: z
      .object({
        message: z.string().default('The request was rejected due to inappropriate content'),
        statusCode: z.int().min(200).max(599).meta({ format: 'int32' }).default(403),
      })
      .superRefine(atLeastOneOf(['message', 'statusCode']))
      .optional(),
    scope: z
      .array(z.enum(['Messages', 'SystemPrompt', 'ToolInput', 'ToolOutput']))
      .min(1)
      .max(4)
      .meta({ 'x-kubernetes-list-type': 'set' })
      .optional(),
    webhook: webhookSchema.optional(),
  })
  .superRefine(
    exactlyOneOf(['regex', 'webhook', 'openAIModeration', 'bedrockGuardrails', 'googleModelArmor']),
  );

const requestSchema = z.array(itemSchema).min(1).max(8);

const itemSchema2 = z
  .object({
    bedrockGuardrails: bedrockGuardrailsSchema.optional(),
    googleModelArmor: googleModelArmorSchema.optional(),
    regex: regexSchema.optional(),
    response: z
      .object({
        message: z.string().default('The request was rejected due to inappropriate content'),
        statusCode: z.int().min(200).max(599).meta({ format: 'int32' }).default(403),
      })
      .superRefine(atLeastOneOf(['message', 'statusCode']))
      .optional(),
    webhook: webhookSchema.optional(),
  })
  .superRefine(exactlyOneOf(['regex', 'webhook', 'bedrockGuardrails', 'googleModelArmor']));

const responseSchema = z.array(itemSchema2).min(1).max(8);

const promptGuardSchema = z
  .object({
    request: requestSchema.optional(),
    response: responseSchema.optional(),
    streaming: z.enum(['Enabled']).optional(),
  })
  .superRefine(atLeastOneOf(['request', 'response']));

const aiSchema = z
  .object({
    defaults: z
      .array(
        z.object({
          field: z.string().min(1).max(256),
          value: anyJson(),
        }),
      )
      .min(1)
      .max(64)
      .optional(),
    finalTransformations: z
      .array(
        z.object({
          expression: z.string().min(1).max(16384),
          field: z.string().min(1).max(256),
        }),
      )
      .min(1)
      .max(64)
      .optional(),
    modelAliases: z
      .record(z.string(), z.string())
      .superRefine(maxProperties(64))
      .meta({ maxProperties: 64 })
      .optional(),
    overrides: z
      .array(
        z.object({
          field: z.string().min(1).max(256),
          value: anyJson(),
        }),
      )
      .min(1)
      .max(64)
      .optional(),
    prompt: promptSchema.optional(),
    promptCaching: promptCachingSchema.optional(),
    promptGuard: promptGuardSchema.optional(),
    routes: z
      .record(
        z.string(),
        z.enum([
          'AnthropicTokenCount',
          'Completions',
          'Detect',
          'Embeddings',
          'GeminiCountTokens',
          'GenerateContent',
          'Messages',
          'Models',
          'Passthrough',
          'Realtime',
          'Rerank',
          'Responses',
        ]),
      )
      .optional(),
    transformations: z
      .array(
        z.object({
          expression: z.string().min(1).max(16384),
          field: z.string().min(1).max(256),
        }),
      )
      .min(1)
      .max(64)
      .optional(),
  })
  .superRefine(
    atLeastOneOf([
      'defaults',
      'finalTransformations',
      'modelAliases',
      'overrides',
      'prompt',
      'promptCaching',
      'promptGuard',
      'routes',
      'transformations',
    ]),
  );

const azureSchema2 = z
  .object({
    managedIdentity: z
      .object({
        clientId: z.string().optional(),
        objectId: z.string().optional(),
        resourceId: z.string().optional(),
      })
      .superRefine(atMostOneOf(['clientId', 'objectId', 'resourceId']))
      .optional(),
    secretRef: z
      .object({
        group: z.string().optional(),
        kind: z.string().optional(),
        name: z.string().min(1).max(253),
      })
      .meta({ 'x-kubernetes-map-type': 'atomic' })
      .optional(),
    workloadIdentity: z.object({}).optional(),
  })
  .superRefine(atMostOneOf(['secretRef', 'managedIdentity', 'workloadIdentity']));

const itemSchema3 = z.object({
  location: locationSchema,
  secretRef: secretRefSchema,
});

const credentialsSchema = z.array(itemSchema3).min(1).max(8).meta({ 'x-kubernetes-list-type': 'atomic' });

const privateKeyJwtSchema = z.object({
  alg: z.enum(['ES256', 'ES384', 'PS256', 'RS256', 'RS384', 'RS512']).optional(),
  assertionAudience: z.string().min(1),
  certificateHeader: z.enum(['x5c', 'x5t#S256']).optional(),
  certificateRef: secretRefSchema.optional(),
  kid: z.string().optional(),
  signingKeyRef: secretRefSchema,
});

const clientAuthSchema = z.object({
  clientId: z.string().min(1),
  method: z.enum(['ClientSecretBasic', 'ClientSecretPost', 'PrivateKeyJwt']).optional(),
  privateKeyJwt: privateKeyJwtSchema.optional(),
  secretRef: secretRefSchema.optional(),
});

const identityProviderSchema = z
  .object({
    backendRef: backendRefSchema2.optional(),
    clientAuth: clientAuthSchema,
    path: z.string().regex(new RegExp('^/')).optional(),
    url: z.string().min(1).max(1024).regex(new RegExp('^https?://[^/?#@]+(/[^?#]*)?$')).optional(),
  })
  .superRefine(exactlyOneOf(['backendRef', 'url']));

const sourceSchema = z
  .object({
    cookie: z
      .object({
        name: z.string().min(1).max(256),
      })
      .optional(),
    expression: z.string().min(1).max(16384).optional(),
    header: z
      .object({
        name: z.string().min(1).max(256).regex(new RegExp("^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$")),
        prefix: z.string().min(1).max(256).optional(),
      })
      .optional(),
    queryParameter: z
      .object({
        name: z.string().min(1).max(256),
      })
      .optional(),
  })
  .superRefine(exactlyOneOf(['header', 'queryParameter', 'cookie', 'expression']));

const subjectTokenSchema = z.object({
  source: sourceSchema.optional(),
  tokenType: z.string().optional(),
});

const crossAppAccessSchema = z.object({
  accessTokenScopes: z.array(z.string()).max(64).optional(),
  audience: z.string().min(1).max(256),
  cache: z
    .object({
      inMemory: z
        .object({
          defaultTtl: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).optional(),
          maxEntries: z.int().meta({ format: 'int32' }).optional(),
        })
        .optional(),
    })
    .optional(),
  identityProvider: identityProviderSchema,
  resourceAuthorizationServer: identityProviderSchema,
  resources: z.array(z.string()).min(1).max(64).optional(),
  scopes: z.array(z.string()).min(1).max(64).optional(),
  subjectToken: subjectTokenSchema.optional(),
});

const jwtSignSchema = z.object({
  alg: z.enum(['ES256', 'ES384', 'PS256', 'RS256', 'RS384', 'RS512']).optional(),
  claims: z.record(z.string(), anyJson()).optional(),
  kid: z.string().optional(),
  location: locationSchema.optional(),
  signingKeyRef: z
    .object({
      group: z.string().optional(),
      kind: z.string().optional(),
      name: z.string().min(1).max(253),
    })
    .meta({ 'x-kubernetes-map-type': 'atomic' }),
  ttl: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).optional(),
});

const actorTokenSchema = z.object({
  mayAct: z.enum(['Required']).optional(),
  source: sourceSchema,
  tokenType: z.string().optional(),
});

const subjectTokenSchema2 = z.object({
  source: sourceSchema.optional(),
  tokenType: z.string().optional(),
});

const oauthTokenExchangeSchema = z
  .object({
    actorToken: actorTokenSchema.optional(),
    additionalParams: z
      .record(z.string(), z.string().min(1).max(16384))
      .superRefine(maxProperties(64))
      .meta({ maxProperties: 64 })
      .optional(),
    audiences: z.array(z.string().min(1).max(256)).min(1).max(64).optional(),
    backendRef: backendRefSchema2.optional(),
    cache: z
      .object({
        inMemory: z
          .object({
            defaultTtl: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).optional(),
            maxEntries: z.int().meta({ format: 'int32' }).optional(),
          })
          .optional(),
      })
      .optional(),
    clientAuth: clientAuthSchema.optional(),
    grantType: z.enum(['JwtBearer', 'TokenExchange']).optional(),
    location: locationSchema.optional(),
    path: z.string().regex(new RegExp('^/')).optional(),
    requestedTokenType: z.enum(['AccessToken', 'Jwt', 'IdToken', 'IdJag']).optional(),
    resources: z.array(z.string()).min(1).max(64).optional(),
    scopes: z.array(z.string()).min(1).max(64).optional(),
    subjectToken: subjectTokenSchema2.optional(),
    url: z.string().min(1).max(1024).regex(new RegExp('^https?://[^/?#@]+(/[^?#]*)?$')).optional(),
  })
  .superRefine(exactlyOneOf(['backendRef', 'url']));

const authSchema4 = z
  .object({
    aws: awsSchema.optional(),
    azure: azureSchema2.optional(),
    credentials: credentialsSchema.optional(),
    crossAppAccess: crossAppAccessSchema.optional(),
    gcp: gcpSchema.optional(),
    jwtSign: jwtSignSchema.optional(),
    key: z.string().max(2048).optional(),
    location: locationSchema.optional(),
    oauthTokenExchange: oauthTokenExchangeSchema.optional(),
    passthrough: z.object({}).optional(),
    secretRef: secretRefSchema.optional(),
  })
  .superRefine(
    atMostOneOf([
      'key',
      'secretRef',
      'passthrough',
      'aws',
      'azure',
      'gcp',
      'oauthTokenExchange',
      'crossAppAccess',
      'jwtSign',
    ]),
  );

const evictionSchema = z.object({
  consecutiveFailures: z.int().min(0).meta({ format: 'int32' }).optional(),
  duration: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).default('3s'),
  healthThreshold: z.int().min(0).max(100).meta({ format: 'int32' }).optional(),
  restoreHealth: z.int().min(0).max(100).meta({ format: 'int32' }).optional(),
});

const healthSchema = z.object({
  eviction: evictionSchema.optional(),
  unhealthyCondition: z.string().min(1).max(16384).optional(),
});

const requestSchema2 = z
  .object({
    add: z
      .array(
        z.object({
          name: z.string().min(1).max(256).regex(new RegExp("^:?[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$")),
          value: z.string().min(1).max(16384),
        }),
      )
      .min(1)
      .max(16)
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
      .optional(),
    body: z.string().min(1).max(16384).optional(),
    metadata: z
      .record(z.string(), z.string().min(1).max(16384))
      .superRefine(maxProperties(16))
      .meta({ maxProperties: 16 })
      .optional(),
    remove: z
      .array(z.string().min(1).max(256).regex(new RegExp("^:?[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$")))
      .min(1)
      .max(16)
      .meta({ 'x-kubernetes-list-type': 'set' })
      .optional(),
    set: z
      .array(
        z.object({
          name: z.string().min(1).max(256).regex(new RegExp("^:?[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$")),
          value: z.string().min(1).max(16384),
        }),
      )
      .min(1)
      .max(16)
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
      .optional(),
  })
  .superRefine(atLeastOneOf(['add', 'body', 'metadata', 'remove', 'set']));

const transformationSchema = z
  .object({
    request: requestSchema2.optional(),
    response: requestSchema2.optional(),
  })
  .superRefine(atLeastOneOf(['request', 'response']));

const cacheSchema = z.object({
  key: z.array(z.string().min(1).max(16384)).min(1).max(16),
  maxEntries: z.int().min(1).meta({ format: 'int32' }).optional(),
  ttl: z.string().min(1).max(16384),
});

const grpcSchema = z.object({
  contextExtensions: z
    .record(z.string(), z.string())
    .superRefine(maxProperties(64))
    .meta({ maxProperties: 64 })
    .optional(),
  requestMetadata: z
    .record(z.string(), z.string().min(1).max(16384))
    .superRefine(maxProperties(64))
    .meta({ maxProperties: 64 })
    .optional(),
});

const httpSchema = z.object({
  addRequestHeaders: z
    .record(z.string(), z.string().min(1).max(16384))
    .superRefine(maxProperties(64))
    .meta({ maxProperties: 64 })
    .optional(),
  allowedRequestHeaders: z.array(z.string().min(1).max(256)).max(64).optional(),
  allowedResponseHeaders: z.array(z.string().min(1).max(256)).max(64).optional(),
  body: z.string().min(1).max(16384).optional(),
  path: z.string().min(1).max(16384).optional(),
  redirect: z.string().min(1).max(16384).optional(),
  responseMetadata: z
    .record(z.string(), z.string().min(1).max(16384))
    .superRefine(maxProperties(64))
    .meta({ maxProperties: 64 })
    .optional(),
});

const extAuthSchema = z.object({
  backendRef: backendRefSchema2.optional(),
  cache: cacheSchema.optional(),
  failureMode: z.enum(['FailClosed', 'FailOpen']).optional(),
  forwardBody: z
    .object({
      maxSize: intOrString(),
    })
    .optional(),
  grpc: grpcSchema.optional(),
  http: httpSchema.optional(),
  url: z.string().min(1).max(1024).regex(new RegExp('^https?://[^/?#@]+(/[^?#]*)?$')).optional(),
});

const jwksSchema = z
  .object({
    backendRef: backendRefSchema2.optional(),
    cacheDuration: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).default('5m'),
    jwksPath: z.string().min(1).max(1024).optional(),
    url: z.string().min(1).max(1024).regex(new RegExp('^https?://[^/?#@]+(/[^?#]*)?$')).optional(),
  })
  .superRefine(exactlyOneOf(['backendRef', 'url']));

const authenticationSchema = z.object({
  audiences: z.array(z.string()).min(1).max(64).optional(),
  clientId: z.string().optional(),
  clientSecretRef: secretRefSchema.optional(),
  issuer: z.string().min(1).max(256).optional(),
  jwks: jwksSchema,
  mode: z.enum(['Optional', 'Permissive', 'Strict']).default('Strict'),
  provider: z.enum(['Auth0', 'Authentik', 'Descope', 'Entra', 'Keycloak', 'Okta']).optional(),
  resourceMetadata: z.record(z.string(), anyJson()).optional(),
});

const authorizationSchema = z.object({
  action: z.enum(['Allow', 'Deny', 'Require']).default('Allow'),
  policy: z.object({
    matchExpressions: z.array(z.string().min(1).max(16384)).min(1).max(256),
  }),
});

const remoteSchema = z
  .object({
    allowedRequestHeaders: z
      .array(z.string().min(1).max(256).regex(new RegExp("^:?[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$")))
      .max(64)
      .meta({ 'x-kubernetes-list-type': 'set' })
      .optional(),
    backendRef: backendRefSchema2.optional(),
    disallowedRequestHeaders: z
      .array(z.string().min(1).max(256).regex(new RegExp("^:?[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$")))
      .max(64)
      .meta({ 'x-kubernetes-list-type': 'set' })
      .optional(),
    failureMode: z.enum(['FailClosed', 'FailOpen']).optional(),
    metadata: z
      .record(z.string(), z.string().min(1).max(16384))
      .superRefine(maxProperties(64))
      .meta({ maxProperties: 64 })
      .optional(),
    url: z.string().min(1).max(1024).regex(new RegExp('^https?://[^/?#@]+(/[^?#]*)?$')).optional(),
  })
  .superRefine(exactlyOneOf(['backendRef', 'url']));

const itemSchema4 = z
  .object({
    methods: z
      .record(z.string(), z.enum(['Full', 'Off', 'Request', 'Response']))
      .superRefine(maxProperties(64))
      .meta({ maxProperties: 64 }),
    remote: remoteSchema.optional(),
  })
  .superRefine(exactlyOneOf(['remote']));

const processorsSchema = z.array(itemSchema4).min(1).max(16);

const guardrailsSchema = z.object({
  processors: processorsSchema,
});

const mcpSchema = z
  .object({
    authentication: authenticationSchema.optional(),
    authorization: authorizationSchema.optional(),
    guardrails: guardrailsSchema.optional(),
  })
  .superRefine(atLeastOneOf(['authentication', 'authorization', 'guardrails']));

const policiesSchema4 = z
  .object({
    ai: aiSchema.optional(),
    auth: authSchema4.optional(),
    extAuth: extAuthSchema.optional(),
    health: healthSchema.optional(),
    http: z
      .object({
        requestTimeout: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).optional(),
        version: z.enum(['HTTP1', 'HTTP2']).optional(),
      })
      .optional(),
    mcp: mcpSchema.optional(),
    tcp: tcpSchema.optional(),
    tls: tlsSchema.optional(),
    transformation: transformationSchema.optional(),
    tunnel: tunnelSchema.optional(),
  })
  .superRefine(
    atLeastOneOf([
      'ai',
      'auth',
      'extAuth',
      'health',
      'http',
      'mcp',
      'tcp',
      'tls',
      'transformation',
      'tunnel',
    ]),
  );

const attributesSchema = z
  .object({
    add: z
      .array(
        z.object({
          expression: z.string().min(1).max(16384),
          name: z.string().min(1).max(256),
        }),
      )
      .min(1)
      .optional(),
    remove: z.array(z.string().min(1).max(64)).min(1).max(32).optional(),
  })
  .superRefine(atLeastOneOf(['add', 'remove']));

const processingOptionsSchema = z.object({
  allowModeOverride: z.boolean().default(false),
  requestBodyMode: z
    .enum(['Buffered', 'BufferedPartial', 'FullDuplexStreamed', 'None'])
    .default('FullDuplexStreamed'),
  requestHeaderMode: z.enum(['Send', 'Skip']).default('Send'),
  requestTrailerMode: z.enum(['Send', 'Skip']).default('Send'),
  responseBodyMode: z
    .enum(['Buffered', 'BufferedPartial', 'FullDuplexStreamed', 'None'])
    .default('FullDuplexStreamed'),
  responseHeaderMode: z.enum(['Send', 'Skip']).default('Send'),
  responseTrailerMode: z.enum(['Send', 'Skip']).default('Send'),
});

const requestSchema3 = z.object({
  add: z
    .array(
      z.object({
        name: z.string().min(1).max(256).regex(new RegExp("^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$")),
        value: z.string().min(1).max(4096),
      }),
    )
    .max(16)
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
    .optional(),
  remove: z.array(z.string()).max(16).meta({ 'x-kubernetes-list-type': 'set' }).optional(),
  set: z
    .array(
      z.object({
        name: z.string().min(1).max(256).regex(new RegExp("^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$")),
        value: z.string().min(1).max(4096),
      }),
    )
    .max(16)
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
    .optional(),
});

const itemSchema5 = z.object({
  cost: z.string().min(1).max(16384).optional(),
  entries: z
    .array(
      z.object({
        expression: z.string().min(1).max(16384),
        name: z.string().min(1).max(64),
      }),
    )
    .min(1)
    .max(16),
  limitOverride: z.string().min(1).max(16384).optional(),
  unit: z.enum(['Requests', 'Tokens']).optional(),
});

const descriptorsSchema = z.array(itemSchema5).min(1).max(16);

const globalSchema = z
  .object({
    backendRef: backendRefSchema2.optional(),
    descriptors: descriptorsSchema,
    domain: z.string().min(1).max(256),
    failureMode: z.enum(['FailClosed', 'FailOpen']).optional(),
    url: z.string().min(1).max(1024).regex(new RegExp('^https?://[^/?#@]+(/[^?#]*)?$')).optional(),
  })
  .superRefine(exactlyOneOf(['backendRef', 'url']));

const itemSchema6 = z
  .object({
    burst: z.int().min(0).meta({ format: 'int32' }).optional(),
    requests: z.int().min(1).meta({ format: 'int32' }).optional(),
    tokens: z.int().min(1).meta({ format: 'int32' }).optional(),
    unit: z.enum(['Hours', 'Minutes', 'Seconds']),
  })
  .superRefine(exactlyOneOf(['requests', 'tokens']));

const localSchema = z.array(itemSchema6).min(1).max(16);

const metadataSchema = z.object({
  annotations: z.record(z.string(), z.string()).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

const daemonSetSchema = z.object({
  metadata: metadataSchema.optional(),
  spec: preservedObject().optional(),
});

export const agentgatewayBackendSpecSchema = z
  .object({
    a2a: z
      .object({
        host: z.string().min(1).max(256),
        port: z.int().min(1).max(65535).meta({ format: 'int32' }),
      })
      .optional(),
    ai: z
      .object({
        groups: z
          .array(
            z.object({
              providers: z
                .array(
                  z
                    .object({
                      anthropic: z
                        .object({
                          model: z.string().min(1).max(256).optional(),
                        })
                        .optional(),
                      azure: azureSchema.optional(),
                      azureopenai: z
                        .object({
                          apiVersion: z.string().min(1).max(64).optional(),
                          deploymentName: z.string().min(1).max(256).optional(),
                          endpoint: z.string().min(1).max(256),
                        })
                        .optional(),
                      bedrock: bedrockSchema.optional(),
                      custom: customSchema.optional(),
                      gemini: z
                        .object({
                          model: z.string().min(1).max(256).optional(),
                        })
                        .optional(),
                      host: z.string().min(1).max(256).optional(),
                      name: z
                        .string()
                        .min(1)
                        .max(253)
                        .regex(
                          new RegExp('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'),
                        ),
                      openai: openaiSchema.optional(),
                      path: z.string().min(1).max(1024).optional(),
                      pathPrefix: z.string().min(1).max(1024).optional(),
                      policies: z
                        .object({
                          ai: aiSchema.optional(),
                          auth: authSchema4.optional(),
                          health: healthSchema.optional(),
                          http: z
                            .object({
                              requestTimeout: z
                                .string()
                                .max(32)
                                .regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$'))
                                .optional(),
                              version: z.enum(['HTTP1', 'HTTP2']).optional(),
                            })
                            .optional(),
                          tcp: tcpSchema.optional(),
                          tls: tlsSchema.optional(),
                          transformation: transformationSchema.optional(),
                          tunnel: tunnelSchema.optional(),
                        })
                        .superRefine(
                          atLeastOneOf([
                            'ai',
                            'auth',
                            'health',
                            'http',
                            'tcp',
                            'tls',
                            'transformation',
                            'tunnel',
                          ]),
                        )
                        .optional(),
                      port: z.int().min(1).max(65535).meta({ format: 'int32' }).optional(),
                      vertexai: z
                        .object({
                          model: z.string().min(1).max(256).optional(),
                          projectId: z.string().min(1).max(64),
                          region: z.string().min(1).max(64).default('global'),
                        })
                        .optional(),
                    })
                    .superRefine(
                      allRules(
                        atMostOneOf(['path', 'pathPrefix']),
                        exactlyOneOf([
                          'openai',
                          'azureopenai',
                          'azure',
                          'anthropic',
                          'gemini',
                          'vertexai',
                          'bedrock',
                          'custom',
                        ]),
                      ),
                    ),
                )
                .min(1)
                .max(16),
            }),
          )
          .min(1)
          .max(8)
          .optional(),
        provider: z
          .object({
            anthropic: z
              .object({
                model: z.string().min(1).max(256).optional(),
              })
              .optional(),
            azure: azureSchema.optional(),
            azureopenai: z
              .object({
                apiVersion: z.string().min(1).max(64).optional(),
                deploymentName: z.string().min(1).max(256).optional(),
                endpoint: z.string().min(1).max(256),
              })
              .optional(),
            bedrock: bedrockSchema.optional(),
            custom: customSchema.optional(),
            gemini: z
              .object({
                model: z.string().min(1).max(256).optional(),
              })
              .optional(),
            host: z.string().min(1).max(256).optional(),
            openai: openaiSchema.optional(),
            path: z.string().min(1).max(1024).optional(),
            pathPrefix: z.string().min(1).max(1024).optional(),
            port: z.int().min(1).max(65535).meta({ format: 'int32' }).optional(),
            vertexai: z
              .object({
                model: z.string().min(1).max(256).optional(),
                projectId: z.string().min(1).max(64),
                region: z.string().min(1).max(64).default('global'),
              })
              .optional(),
          })
          .superRefine(
            allRules(
              atMostOneOf(['path', 'pathPrefix']),
              exactlyOneOf([
                'openai',
                'azureopenai',
                'azure',
                'anthropic',
                'gemini',
                'vertexai',
                'bedrock',
                'custom',
              ]),
            ),
          )
          .optional(),
      })
      .superRefine(exactlyOneOf(['provider', 'groups']))
      .optional(),
    aws: z
      .object({
        agentCore: z
          .object({
            agentRuntimeArn: z.string(),
            qualifier: z.string().optional(),
          })
          .optional(),
      })
      .superRefine(exactlyOneOf(['agentCore']))
      .optional(),
    dynamicForwardProxy: z.object({}).optional(),
    mcp: z
      .object({
        failureMode: z.enum(['FailClosed', 'FailOpen']).optional(),
        prefixMode: z.enum(['Always', 'Conditional', 'Never']).optional(),
        sessionRouting: z.enum(['Stateful', 'Stateless']).optional(),
        targets: z
          .array(
            z
              .object({
                name: z
                  .string()
                  .min(1)
                  .max(253)
                  .regex(new RegExp('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')),
                selector: z
                  .object({
                    namespaces: k8sType('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector').optional(),
                    services: k8sType('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector').optional(),
                  })
                  .superRefine(atLeastOneOf(['namespaces', 'services']))
                  .optional(),
                static: z
                  .object({
                    backendRef: z
                      .object({
                        name: z.string().default(''),
                      })
                      .meta({ 'x-kubernetes-map-type': 'atomic' })
                      .optional(),
                    host: z.string().min(1).max(256).optional(),
                    path: z.string().min(1).max(1024).optional(),
                    policies: z
                      .object({
                        auth: authSchema4.optional(),
                        http: z
                          .object({
                            requestTimeout: z
                              .string()
                              .max(32)
                              .regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$'))
                              .optional(),
                            version: z.enum(['HTTP1', 'HTTP2']).optional(),
                          })
                          .optional(),
                        tcp: tcpSchema.optional(),
                        tls: tlsSchema.optional(),
                        tunnel: tunnelSchema.optional(),
                      })
                      .optional(),
                    port: z.int().min(1).max(65535).meta({ format: 'int32' }),
                    protocol: z.enum(['SSE', 'StreamableHTTP']).optional(),
                  })
                  .superRefine(exactlyOneOf(['host', 'backendRef']))
                  .optional(),
              })
              .superRefine(exactlyOneOf(['selector', 'static'])),
          )
          .min(1)
          .max(128)
          .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }),
      })
      .optional(),
    policies: policiesSchema4.optional(),
    static: z
      .object({
        host: z.string().min(1).max(256).optional(),
        port: z.int().min(1).max(65535).meta({ format: 'int32' }).optional(),
        unixPath: z.string().min(1).optional(),
      })
      .optional(),
  })
  .superRefine(exactlyOneOf(['ai', 'static', 'dynamicForwardProxy', 'mcp', 'aws', 'a2a']));

export const agentgatewayBackendStatusSchema = z.object({
  conditions: z
    .array(conditionSchema)
    .max(8)
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
    .optional(),
});

export const agentgatewayPolicySpecSchema = z
  .object({
    backend: policiesSchema4.optional(),
    frontend: z
      .object({
        accessLog: z
          .object({
            attributes: attributesSchema.optional(),
            filter: z.string().min(1).max(16384).optional(),
            otlp: z
              .object({
                attributes: attributesSchema.optional(),
                backendRef: backendRefSchema2.optional(),
                filter: z.string().min(1).max(16384).optional(),
                path: z.string().min(1).max(1024).optional(),
                protocol: z.enum(['GRPC', 'HTTP']).default('GRPC'),
                url: z
                  .string()
                  .min(1)
                  .max(1024)
                  .regex(new RegExp('^https?://[^/?#@]+(/[^?#]*)?$'))
                  .optional(),
              })
              .superRefine(exactlyOneOf(['backendRef', 'url']))
              .optional(),
          })
          .optional(),
        connect: z
          .object({
            mode: z.enum(['Deny', 'Route', 'Tunnel']),
          })
          .optional(),
        http: z
          .object({
            http1HeaderCase: z.enum(['Lowercase', 'Preserve']).optional(),
            http1IdleTimeout: z
              .string()
              .max(32)
              .regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$'))
              .optional(),
            http1MaxHeaders: z.int().min(1).max(4096).meta({ format: 'int32' }).optional(),
            http2ConnectionWindowSize: intOrString().optional(),
            http2FrameSize: intOrString().optional(),
            http2KeepaliveInterval: z
              .string()
              .max(32)
              .regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$'))
              .optional(),
            http2KeepaliveTimeout: z
              .string()
              .max(32)
              .regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$'))
              .optional(),
            http2MaxHeaderSize: intOrString().optional(),
            http2WindowSize: intOrString().optional(),
            maxBufferSize: intOrString().optional(),
            maxConnectionDuration: z
              .string()
              .max(32)
              .regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$'))
              .optional(),
          })
          .superRefine(
            atLeastOneOf([
              'http1HeaderCase',
              'http1IdleTimeout',
              'http1MaxHeaders',
              'http2ConnectionWindowSize',
              'http2FrameSize',
              'http2KeepaliveInterval',
              'http2KeepaliveTimeout',
              'http2MaxHeaderSize',
              'http2WindowSize',
              'maxBufferSize',
              'maxConnectionDuration',
            ]),
          )
          .optional(),
        metrics: z
          .object({
            attributes: z
              .object({
                add: z
                  .array(
                    z.object({
                      expression: z.string().min(1).max(16384),
                      name: z.string().min(1).max(256),
                    }),
                  )
                  .min(1)
                  .max(16)
                  .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
                  .optional(),
              })
              .superRefine(atLeastOneOf(['add'])),
          })
          .optional(),
        networkAuthorization: authorizationSchema.optional(),
        proxyProtocol: z
          .object({
            mode: z.enum(['Optional', 'Strict']).default('Strict'),
            version: z.enum(['All', 'V1', 'V2']).default('V2'),
          })
          .optional(),
        tcp: z
          .object({
            keepalive: z
              .object({
                interval: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).optional(),
                retries: z.int().min(1).max(64).meta({ format: 'int32' }).optional(),
                time: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).optional(),
              })
              .optional(),
          })
          .superRefine(atLeastOneOf(['keepalive']))
          .optional(),
        tls: z
          .object({
            alpnProtocols: z.array(z.string().min(1).max(64)).min(1).max(16).optional(),
            cipherSuites: z
              .array(
                z.enum([
                  'TLS13_AES_128_GCM_SHA256',
                  'TLS13_AES_256_GCM_SHA384',
                  'TLS13_CHACHA20_POLY1305_SHA256',
                  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
                  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
                  'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
                  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
                  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
                  'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
                ]),
              )
              .optional(),
            handshakeTimeout: z
              .string()
              .max(32)
              .regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$'))
              .optional(),
            keyExchangeGroups: z.array(z.enum(['P-256', 'P-384', 'X25519', 'X25519_MLKEM768'])).optional(),
            maxProtocolVersion: z.enum(['1.2', '1.3']).optional(),
            minProtocolVersion: z.enum(['1.2', '1.3']).optional(),
          })
          .superRefine(
            atLeastOneOf([
              'alpnProtocols',
              'cipherSuites',
              'handshakeTimeout',
              'keyExchangeGroups',
              'maxProtocolVersion',
              'minProtocolVersion',
            ]),
          )
          .optional(),
        tracing: z
          .object({
            attributes: attributesSchema.optional(),
            backendRef: backendRefSchema2.optional(),
            clientSampling: z.string().min(1).max(16384).optional(),
            filter: z.string().min(1).max(16384).optional(),
            path: z.string().min(1).max(1024).optional(),
            protocol: z.enum(['GRPC', 'HTTP']).default('GRPC'),
            randomSampling: z.string().min(1).max(16384).optional(),
            resources: z
              .array(
                z.object({
                  expression: z.string().min(1).max(16384),
                  name: z.string().min(1).max(256),
                }),
              )
              .optional(),
            url: z.string().min(1).max(1024).regex(new RegExp('^https?://[^/?#@]+(/[^?#]*)?$')).optional(),
          })
          .superRefine(exactlyOneOf(['backendRef', 'url']))
          .optional(),
      })
      .superRefine(
        atLeastOneOf([
          'accessLog',
          'connect',
          'http',
          'metrics',
          'networkAuthorization',
          'proxyProtocol',
          'tcp',
          'tls',
          'tracing',
        ]),
      )
      .optional(),
    strategy: z
      .object({
        inheritance: z.enum(['Default', 'Override']).optional(),
      })
      .optional(),
    targetRefs: z
      .array(
        z
          .object({
            group: z
              .string()
              .max(253)
              .regex(new RegExp('^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')),
            kind: z.string().min(1).max(63).regex(new RegExp('^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$')),
            name: z.string().min(1).max(253),
            port: z.int().min(1).max(65535).meta({ format: 'int32' }).optional(),
            sectionName: z
              .string()
              .min(1)
              .max(253)
              .regex(new RegExp('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'))
              .optional(),
          })
          .superRefine(atMostOneOf(['sectionName', 'port'])),
      )
      .min(1)
      .max(16)
      .meta({ 'x-kubernetes-list-type': 'atomic' })
      .optional(),
    targetSelectors: z
      .array(
        z
          .object({
            group: z
              .string()
              .max(253)
              .regex(new RegExp('^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')),
            kind: z.string().min(1).max(63).regex(new RegExp('^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$')),
            matchLabels: z.record(z.string(), z.string()),
            port: z.int().min(1).max(65535).meta({ format: 'int32' }).optional(),
            sectionName: z
              .string()
              .min(1)
              .max(253)
              .regex(new RegExp('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'))
              .optional(),
          })
          .superRefine(atMostOneOf(['sectionName', 'port'])),
      )
      .min(1)
      .max(16)
      .optional(),
    traffic: z
      .object({
        apiKeyAuthentication: z
          .object({
            configMapSelector: z
              .object({
                matchLabels: z.record(z.string(), z.string()),
              })
              .optional(),
            location: sourceSchema.optional(),
            mode: z.enum(['Optional', 'Permissive', 'Strict']).default('Strict'),
            secretRef: z
              .object({
                group: z.string().optional(),
                kind: z.string().optional(),
                name: z.string().min(1).max(253),
              })
              .meta({ 'x-kubernetes-map-type': 'atomic' })
              .optional(),
            secretSelector: z
              .object({
                matchLabels: z.record(z.string(), z.string()),
              })
              .optional(),
          })
          .superRefine(exactlyOneOf(['secretRef', 'secretSelector', 'configMapSelector']))
          .optional(),
        authorization: authorizationSchema.optional(),
        basicAuthentication: z
          .object({
            location: sourceSchema.optional(),
            mode: z.enum(['Optional', 'Strict']).default('Strict'),
            realm: z.string().optional(),
            secretRef: secretRefSchema.optional(),
            users: z.array(z.string()).min(1).max(256).optional(),
          })
          .superRefine(exactlyOneOf(['users', 'secretRef']))
          .optional(),
        buffer: z
          .object({
            request: z
              .object({
                failureMode: z.enum(['FailClosed', 'FailOpen']).optional(),
                maxBytes: intOrString().optional(),
              })
              .optional(),
            response: z
              .object({
                failureMode: z.enum(['FailClosed', 'FailOpen']).optional(),
                maxBytes: intOrString().optional(),
              })
              .optional(),
          })
          .superRefine(atLeastOneOf(['request', 'response']))
          .optional(),
        cors: z
          .looseObject({
            allowCredentials: z.boolean().optional(),
            allowHeaders: z
              .array(z.string().min(1).max(256).regex(new RegExp("^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$")))
              .max(64)
              .meta({ 'x-kubernetes-list-type': 'set' })
              .optional(),
            allowMethods: z
              .array(
                z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', '*']),
              )
              .max(9)
              .meta({ 'x-kubernetes-list-type': 'set' })
              .optional(),
            allowOrigins: z
              .array(
                z
                  .string()
                  .min(1)
                  .max(253)
                  .regex(
                    new RegExp(
                      '(^\\*$)|(^(http(s)?):\\/\\/(((\\*\\.)?([a-zA-Z0-9\\-]+\\.)*[a-zA-Z0-9-]+|\\*)(:([0-9]{1,5}))?)$)',
                    ),
                  ),
              )
              .max(64)
              .meta({ 'x-kubernetes-list-type': 'set' })
              .optional(),
            exposeHeaders: z
              .array(z.string().min(1).max(256).regex(new RegExp("^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$")))
              .max(64)
              .meta({ 'x-kubernetes-list-type': 'set' })
              .optional(),
            maxAge: z.int().min(1).meta({ format: 'int32' }).default(5),
          })
          .optional(),
        csrf: z
          .object({
            additionalOrigins: z.array(z.string().min(1).max(256)).min(1).max(16).optional(),
          })
          .optional(),
        delay: z
          .object({
            duration: z.string().min(1).max(16384),
          })
          .optional(),
        directResponse: z
          .object({
            body: z.string().min(1).max(4096).optional(),
            bodyExpression: z.string().min(1).max(16384).optional(),
            conditional: z
              .array(
                z.object({
                  condition: z.string().min(1).max(16384).optional(),
                  policy: z.object({
                    body: z.string().min(1).max(4096).optional(),
                    bodyExpression: z.string().min(1).max(16384).optional(),
                    headers: z
                      .array(
                        z.object({
                          name: z
                            .string()
                            .min(1)
                            .max(256)
                            .regex(new RegExp("^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$")),
                          value: z.string().min(1).max(16384),
                        }),
                      )
                      .min(1)
                      .max(16)
                      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
                      .optional(),
                    status: z.int().min(200).max(599).meta({ format: 'int32' }).optional(),
                  }),
                }),
              )
              .min(1)
              .max(16)
              .optional(),
            headers: z
              .array(
                z.object({
                  name: z.string().min(1).max(256).regex(new RegExp("^[A-Za-z0-9!#$%&'*+\\-.^_\\x60|~]+$")),
                  value: z.string().min(1).max(16384),
                }),
              )
              .min(1)
              .max(16)
              .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
              .optional(),
            status: z.int().min(200).max(599).meta({ format: 'int32' }).optional(),
          })
          .optional(),
        extAuth: z
          .object({
            backendRef: backendRefSchema2.optional(),
            cache: cacheSchema.optional(),
            conditional: z
              .array(
                z.object({
                  condition: z.string().min(1).max(16384).optional(),
                  policy: z
                    .object({
                      backendRef: backendRefSchema2.optional(),
                      cache: cacheSchema.optional(),
                      failureMode: z.enum(['FailClosed', 'FailOpen']).optional(),
                      forwardBody: z
                        .object({
                          maxSize: intOrString(),
                        })
                        .optional(),
                      grpc: grpcSchema.optional(),
                      http: httpSchema.optional(),
                      url: z
                        .string()
                        .min(1)
                        .max(1024)
                        .regex(new RegExp('^https?://[^/?#@]+(/[^?#]*)?$'))
                        .optional(),
                    })
                    .superRefine(exactlyOneOf(['grpc', 'http'])),
                }),
              )
              .min(1)
              .max(16)
              .optional(),
            failureMode: z.enum(['FailClosed', 'FailOpen']).optional(),
            forwardBody: z
              .object({
                maxSize: intOrString(),
              })
              .optional(),
            grpc: grpcSchema.optional(),
            http: httpSchema.optional(),
            url: z.string().min(1).max(1024).regex(new RegExp('^https?://[^/?#@]+(/[^?#]*)?$')).optional(),
          })
          .superRefine(exactlyOneOf(['grpc', 'http']))
          .optional(),
        extProc: z
          .object({
            backendRef: backendRefSchema2.optional(),
            conditional: z
              .array(
                z.object({
                  condition: z.string().min(1).max(16384).optional(),
                  policy: z.object({
                    backendRef: backendRefSchema2.optional(),
                    failureMode: z.enum(['FailClosed', 'FailOpen']).optional(),
                    metadataContext: z
                      .record(z.string(), z.record(z.string(), z.string().min(1).max(16384)))
                      .superRefine(maxProperties(64))
                      .meta({ maxProperties: 64 })
                      .optional(),
                    processingOptions: processingOptionsSchema.optional(),
                    requestAttributes: z
                      .record(z.string(), z.string().min(1).max(16384))
                      .superRefine(maxProperties(64))
                      .meta({ maxProperties: 64 })
                      .optional(),
                    responseAttributes: z
                      .record(z.string(), z.string().min(1).max(16384))
                      .superRefine(maxProperties(64))
                      .meta({ maxProperties: 64 })
                      .optional(),
                    url: z
                      .string()
                      .min(1)
                      .max(1024)
                      .regex(new RegExp('^https?://[^/?#@]+(/[^?#]*)?$'))
                      .optional(),
                  }),
                }),
              )
              .min(1)
              .max(16)
              .optional(),
            failureMode: z.enum(['FailClosed', 'FailOpen']).optional(),
            metadataContext: z
              .record(z.string(), z.record(z.string(), z.string().min(1).max(16384)))
              .superRefine(maxProperties(64))
              .meta({ maxProperties: 64 })
              .optional(),
            processingOptions: processingOptionsSchema.optional(),
            requestAttributes: z
              .record(z.string(), z.string().min(1).max(16384))
              .superRefine(maxProperties(64))
              .meta({ maxProperties: 64 })
              .optional(),
            responseAttributes: z
              .record(z.string(), z.string().min(1).max(16384))
              .superRefine(maxProperties(64))
              .meta({ maxProperties: 64 })
              .optional(),
            url: z.string().min(1).max(1024).regex(new RegExp('^https?://[^/?#@]+(/[^?#]*)?$')).optional(),
          })
          .optional(),
        headerModifiers: z
          .object({
            request: requestSchema3.optional(),
            response: requestSchema3.optional(),
          })
          .superRefine(atLeastOneOf(['request', 'response']))
          .optional(),
        hostRewrite: z
          .object({
            mode: z.enum(['Auto', 'None']),
          })
          .optional(),
        jwtAuthentication: z
          .object({
            location: sourceSchema.optional(),
            mcp: z
              .object({
                clientId: z.string().optional(),
                provider: z.enum(['Auth0', 'Authentik', 'Descope', 'Entra', 'Keycloak', 'Okta']).optional(),
                resourceMetadata: z.record(z.string(), anyJson()).optional(),
              })
              .optional(),
            mode: z.enum(['Optional', 'Permissive', 'Strict']).default('Strict'),
            providers: z
              .array(
                z.object({
                  audiences: z.array(z.string()).min(1).max(64).optional(),
                  issuer: z.string().min(1).max(256),
                  jwks: z
                    .object({
                      inline: z.string().min(2).max(65536).optional(),
                      remote: jwksSchema.optional(),
                    })
                    .superRefine(exactlyOneOf(['remote', 'inline'])),
                }),
              )
              .min(1)
              .max(64),
          })
          .optional(),
        phase: z.enum(['PostRouting', 'PreRouting']).optional(),
        rateLimit: z
          .object({
            conditional: z
              .array(
                z.object({
                  condition: z.string().min(1).max(16384).optional(),
                  policy: z
                    .object({
                      global: globalSchema.optional(),
                      local: localSchema.optional(),
                    })
                    .superRefine(atLeastOneOf(['global', 'local'])),
                }),
              )
              .min(1)
              .max(16)
              .optional(),
            global: globalSchema.optional(),
            local: localSchema.optional(),
          })
          .superRefine(atLeastOneOf(['conditional', 'global', 'local']))
          .optional(),
        retry: z
          .object({
            attempts: z.int().min(1).optional(),
            backoff: z.string().regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).optional(),
            codes: z.array(z.int().min(400).max(599)).meta({ 'x-kubernetes-list-type': 'set' }).optional(),
            condition: z.string().min(1).max(16384).optional(),
            precondition: z.string().min(1).max(16384).optional(),
          })
          .optional(),
        timeouts: z
          .object({
            request: z.string().max(32).regex(new RegExp('^([0-9]{1,5}(h|m|s|ms)){1,4}$')).optional(),
          })
          .superRefine(atLeastOneOf(['request']))
          .optional(),
        transformation: z
          .object({
            conditional: z
              .array(
                z.object({
                  condition: z.string().min(1).max(16384).optional(),
                  policy: transformationSchema,
                }),
              )
              .min(1)
              .max(16)
              .optional(),
            request: requestSchema2.optional(),
            response: requestSchema2.optional(),
          })
          .superRefine(atLeastOneOf(['conditional', 'request', 'response']))
          .optional(),
      })
      .optional(),
  })
  .superRefine(exactlyOneOf(['targetRefs', 'targetSelectors']));

export const agentgatewayPolicyStatusSchema = z.object({
  ancestors: z
    .array(
      z.object({
        ancestorRef: z.object({
          group: z
            .string()
            .max(253)
            .regex(new RegExp('^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'))
            .default('gateway.networking.k8s.io'),
          kind: z
            .string()
            .min(1)
            .max(63)
            .regex(new RegExp('^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$'))
            .default('Gateway'),
          name: z.string().min(1).max(253),
          namespace: z
            .string()
            .min(1)
            .max(63)
            .regex(new RegExp('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'))
            .optional(),
          port: z.int().min(1).max(65535).meta({ format: 'int32' }).optional(),
          sectionName: z
            .string()
            .min(1)
            .max(253)
            .regex(new RegExp('^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'))
            .optional(),
        }),
        conditions: z
          .array(conditionSchema)
          .min(1)
          .max(8)
          .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }),
        controllerName: z
          .string()
          .min(1)
          .max(253)
          .regex(
            new RegExp(
              "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\/[A-Za-z0-9\\/\\-._~%!$&'()*+,;=:]+$",
            ),
          ),
      }),
    )
    .max(16)
    .meta({ 'x-kubernetes-list-type': 'atomic' }),
});

export const agentgatewayParametersSpecSchema = z.object({
  daemonSet: daemonSetSchema.optional(),
  deployment: daemonSetSchema.optional(),
  env: z.array(k8sType('io.k8s.api.core.v1.EnvVar')).optional(),
  horizontalPodAutoscaler: daemonSetSchema.optional(),
  image: z
    .object({
      digest: z.string().optional(),
      pullPolicy: z.string().optional(),
      registry: z.string().optional(),
      repository: z.string().optional(),
      tag: z.string().optional(),
    })
    .optional(),
  istio: z
    .object({
      additionalTrustDomains: z.array(z.string()).optional(),
      caAddress: z.string().optional(),
      clusterId: z.string().optional(),
      enabled: z.boolean().optional(),
      network: z.string().optional(),
      trustDomain: z.string().optional(),
    })
    .optional(),
  logging: z
    .object({
      format: z.enum(['json', 'text']).optional(),
      level: z.string().optional(),
    })
    .optional(),
  modelCatalog: z
    .object({
      sources: z
        .array(
          z.object({
            configMap: z
              .object({
                key: z.string().optional(),
                name: z.string().min(1),
              })
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  podDisruptionBudget: daemonSetSchema.optional(),
  rawConfig: preservedObject().optional(),
  resources: k8sType('io.k8s.api.core.v1.ResourceRequirements').optional(),
  service: daemonSetSchema.optional(),
  serviceAccount: daemonSetSchema.optional(),
  shutdown: z
    .object({
      max: z.int().min(0).max(31536000).meta({ format: 'int64' }),
      min: z.int().min(0).max(31536000).meta({ format: 'int64' }),
    })
    .optional(),
  spiffe: z
    .object({
      enabled: z.boolean().optional(),
      source: z
        .object({
          csi: z
            .object({
              driver: z.string().optional(),
            })
            .optional(),
          hostPath: z
            .object({
              path: z.string().min(1),
            })
            .optional(),
          mountPath: z.string().regex(new RegExp('^/')).optional(),
          socketName: z.string().optional(),
        })
        .superRefine(atMostOneOf(['csi', 'hostPath']))
        .optional(),
    })
    .optional(),
  workload: z
    .object({
      kind: z.enum(['DaemonSet', 'Deployment']).optional(),
    })
    .optional(),
});

export const agentgatewayParametersStatusSchema = z.object({});
