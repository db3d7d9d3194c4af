#!/usr/bin/env node
// mock-llm: serves a scripted mock LLM (OpenAI chat completions and Anthropic messages) from a
// JSON script file until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { loadMockLlmScript } from './mock-llm/load-script.js';
import { MockLlmScriptError } from './mock-llm/mock-llm-script-error.js';
import type { MockLlm } from './mock-llm/mock-llm-types.js';
import { startMockLlm } from './mock-llm/start-mock-llm.js';

const USAGE = `usage: mock-llm --script FILE [--port N] [--host HOST] [--api-key KEY]

  --script FILE   JSON script of rules (our format, or kagent's mock LLM format)
  --port N        port to listen on (default: the script's listen_addr port, else 0 = any free port)
  --host HOST     interface to listen on (default: the script's listen_addr host, else 127.0.0.1)
  --api-key KEY   require this API key on requests
  --help          show this text

Prints "mock-llm listening on <url>" once ready; stops on SIGINT or SIGTERM.`;

function fail(message: string): never {
  process.stderr.write(`mock-llm: ${message}\n`);
  process.exit(2);
}

function splitListenAddr(addr: string | undefined): { host?: string; port?: number } {
  if (addr === undefined || addr === '') return {};
  const match = /^(?:\[([^\]]*)\]|([^:]*)):(\d+)$/.exec(addr);
  if (match === null) return {};
  const host = match[1] ?? match[2];
  return { ...(host !== undefined && host !== '' ? { host } : {}), port: Number(match[3]) };
}

async function main(): Promise<void> {
  let values: { script?: string; port?: string; host?: string; 'api-key'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        script: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'api-key': { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    fail(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values.script === undefined) fail(`--script is required\n${USAGE}`);
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      fail(`--port must be a port number, got "${values.port}"`);
  }

  let script;
  try {
    script = await loadMockLlmScript(values.script);
  } catch (err) {
    if (err instanceof MockLlmScriptError) fail(err.message);
    throw err;
  }
  const listen = splitListenAddr(script.listen_addr);
  const host = values.host ?? listen.host ?? '127.0.0.1';
  // Signal handlers go in before the URL is printed, so a caller may stop us as soon as it sees it.
  const running: { llm?: MockLlm } = {};
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`mock-llm: ${signal}, stopping\n`);
    (running.llm?.close() ?? Promise.resolve()).then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`mock-llm: error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const llm = await startMockLlm({
    script,
    port: port ?? listen.port ?? 0,
    host,
    // Nothing reads the record of a CLI server: keep a little for debugging, not every request.
    recordLimit: 100,
    ...(values['api-key'] !== undefined ? { apiKey: values['api-key'] } : {}),
  });
  running.llm = llm;
  process.stdout.write(`mock-llm listening on ${llm.url}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`mock-llm: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
