import { describe, expect, it } from 'vitest';
import { parseSettings, SettingsError } from './config.js';

describe('parseSettings', () => {
  it('reads kagent flags and env', () => {
    const s = parseSettings(['--host', '0.0.0.0', '--port', '8080', '--filepath', '/config'], {
      KAGENT_NAMESPACE: 'team',
      KAGENT_NAME: 'helper',
      KAGENT_URL: 'http://kagent-controller.kagent:8083',
      OPENAI_API_KEY: 'sk-test',
      GEMINI_API_KEY: 'g-key',
      AWS_ACCESS_KEY_ID: 'AKID',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'session',
      AWS_REGION: 'eu-west-1',
      GOOGLE_CLOUD_PROJECT: 'proj',
      GOOGLE_CLOUD_LOCATION: 'europe-west4',
    });
    expect(s).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      filepath: '/config',
      namespace: 'team',
      agentName: 'helper',
      controllerUrl: 'http://kagent-controller.kagent:8083',
      credentials: {
        openaiApiKey: 'sk-test',
        googleApiKey: 'g-key',
        awsAccessKeyId: 'AKID',
        awsSecretAccessKey: 'secret',
        awsSessionToken: 'session',
        awsRegion: 'eu-west-1',
        googleCloudProject: 'proj',
        googleCloudLocation: 'europe-west4',
      },
    });
  });

  it('defaults to the kagent command line and an embedded store', () => {
    const s = parseSettings([], {});
    expect(s).toMatchObject({ host: '0.0.0.0', port: 8080, filepath: '/config', controllerUrl: undefined });
  });

  it('rejects unknown flags, bad ports and a bad KAGENT_URL by name', () => {
    expect(() => parseSettings(['--nope'], {})).toThrow(SettingsError);
    expect(() => parseSettings(['--port', 'x'], {})).toThrow(/--port/);
    expect(() => parseSettings([], { KAGENT_URL: 'not a url' })).toThrow(/KAGENT_URL/);
  });
});
