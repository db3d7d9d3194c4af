// Flags, config file and env, parsed once. Everything below main.ts receives typed values from here.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { adapterConfigSchema, type ChildMode } from '@agentplane/mcpserver-translate/adapter-config';
import { z } from 'zod';
import { UsageError } from '@agentplane/telemetry/process';

export interface AdapterAppConfig {
  readonly host: string;
  readonly port: number;
  readonly cmd: string;
  readonly args: readonly string[];
  readonly childMode: ChildMode;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** Key sealing MCP session ids; random per process when absent. */
  readonly sessionKey?: string;
  /** Environment the stdio child inherits. */
  readonly childEnv: Readonly<Record<string, string | undefined>>;
}

export { UsageError };

export const USAGE = `usage: mcp-adapter --config <config.json>
       mcp-adapter --port <port> --cmd <command> [--args <arg>]... [--shared|--per-session] [-- <arg>...]
Serves one stdio MCP server as MCP streamable HTTP (/mcp) and SSE (/sse) on <port>.
  -c, --config <file>   JSON config (port, cmd, args, childMode), as the kmcp controller writes it
  -p, --port <port>     port to listen on (overrides the config file)
      --host <addr>     address to listen on (default 0.0.0.0)
      --cmd <command>   the stdio server's command
      --args <arg>      one argument of the command (repeat; or put them after --)
      --shared          one child for all MCP sessions
      --per-session     one child per MCP session (default)
  -h, --help            this help
env: LOG_LEVEL (info), SESSION_KEY (seals session ids; set the same on every replica)`;

const envSchema = z.object({
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  SESSION_KEY: z.string().min(1).optional(),
});

/** Parses argv (without node and script) and env. Returns 'help' for -h. Throws UsageError. */
export function parseAppConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): AdapterAppConfig | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        cmd: { type: 'string' },
        args: { type: 'string', multiple: true },
        shared: { type: 'boolean' },
        'per-session': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return 'help';
  if (v.shared && v['per-session']) throw new UsageError('--shared and --per-session are mutually exclusive');

  let file: z.infer<typeof adapterConfigSchema> | undefined;
  if (v.config !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(v.config, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read config ${v.config}: ${(e as Error).message}`);
    }
    const r = adapterConfigSchema.safeParse(raw);
    if (!r.success)
      throw new UsageError(
        `invalid config ${v.config}: ${r.error.issues.map((i) => `${i.path.join('.') || '$'}: ${i.message}`).join('; ')}`,
      );
    file = r.data;
  }

  const cmd = v.cmd ?? file?.cmd;
  if (!cmd) throw new UsageError('no command: give --cmd or --config');
  const extra = [...(v.args ?? []), ...positionals];
  const args = v.cmd !== undefined || extra.length > 0 ? extra : (file?.args ?? []);
  const portText = v.port ?? (file ? String(file.port) : undefined);
  if (portText === undefined) throw new UsageError('no port: give --port or --config');
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`invalid port ${JSON.stringify(portText)}`);
  const childMode: ChildMode = v.shared
    ? 'shared'
    : v['per-session']
      ? 'per-session'
      : (file?.childMode ?? 'per-session');

  const e = envSchema.safeParse(env);
  if (!e.success)
    throw new UsageError(e.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return {
    host: v.host ?? '0.0.0.0',
    port,
    cmd,
    args,
    childMode,
    logLevel: e.data.LOG_LEVEL,
    ...(e.data.SESSION_KEY ? { sessionKey: e.data.SESSION_KEY } : {}),
    childEnv: Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'SESSION_KEY')),
  };
}
