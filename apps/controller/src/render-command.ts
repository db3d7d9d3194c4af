// `controller render -f input.yaml`: translates the Agent of a golden-format request
// ({operation: translateAgent, targetObject, namespace, objects}) and prints
// {agentCard, config, manifest} as JSON. No cluster access.
import { readFile } from 'node:fs/promises';
import {
  DEFAULT_CONTROLLER_URL,
  parseTranslateRequest,
  runTranslateRequest,
  TranslateRequestError,
  type TranslateAgentResult,
} from '@agentplane/agent-translate';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import type { CliIo } from './cli-io.js';
import { DEFAULT_RUNTIME_IMAGE } from './version.js';

export interface RenderOptions {
  file: string;
  runtimeImage: string;
  controllerUrl: string;
}

/** Exit status of `render`: 0 rendered, 1 the Agent does not translate, 2 unreadable input. */
export type RenderStatus = 0 | 1 | 2;

/** Renders a request document (YAML or JSON text). */
export function renderRequestText(text: string, options: Omit<RenderOptions, 'file'>): TranslateAgentResult {
  const request = parseTranslateRequest(parseYaml(text) as unknown);
  return runTranslateRequest(request, {
    runtimeImage: options.runtimeImage,
    controllerUrl: options.controllerUrl,
  });
}

export async function render(options: RenderOptions, io: CliIo): Promise<RenderStatus> {
  let text: string;
  try {
    text = options.file === '-' ? await io.readStdin() : await readFile(options.file, 'utf8');
  } catch (e) {
    io.stderr(`render: cannot read ${options.file}: ${(e as Error).message}\n`);
    return 2;
  }
  let result: TranslateAgentResult;
  try {
    result = renderRequestText(text, options);
  } catch (e) {
    if (e instanceof TranslateRequestError || (e as Error).name === 'YAMLParseError') {
      io.stderr(`render: ${options.file}: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
  if (!result.ok) {
    io.stderr(`render: ${result.reason}: ${result.message}\n`);
    return 1;
  }
  const { agentCard, config, manifest } = result.outputs;
  io.stdout(`${JSON.stringify({ agentCard, config, manifest }, null, 2)}\n`);
  return 0;
}

/** Adds the `render` subcommand; `setStatus` receives its exit status. */
export function registerRenderCommand(
  program: Command,
  io: CliIo,
  setStatus: (s: RenderStatus) => void,
): void {
  program
    .command('render')
    .description('print the objects the controller would create for an Agent, from a file of resources')
    .requiredOption(
      '-f, --file <path>',
      'request file: {operation: translateAgent, targetObject, namespace, objects} ("-" for stdin)',
    )
    .option('--runtime-image <image>', 'agent runtime image', DEFAULT_RUNTIME_IMAGE)
    .option('--controller-url <url>', 'controller URL given to agents (KAGENT_URL)', DEFAULT_CONTROLLER_URL)
    .action(async (opts: RenderOptions) => {
      setStatus(await render(opts, io));
    });
}
