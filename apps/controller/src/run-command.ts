// `controller [run]` (the default command): reconciles the cluster until SIGTERM/SIGINT.
import type { Command } from 'commander';
import { DEFAULT_AGENT_WORKERS } from '@agentplane/controller-reconcilers';
import { KubeConfigError } from '@agentplane/k8s';
import type { CliIo } from './cli-io.js';
import { resolveControllerConfig, UsageError, type RunFlags } from './config.js';
import { startController } from './controller-app.js';

/** Adds `run` as the default subcommand; `setStatus` receives the exit status. */
export function registerRunCommand(program: Command, io: CliIo, setStatus: (s: number) => void): void {
  program
    .command('run', { isDefault: true })
    .description('reconcile Agents, ModelConfigs, ModelProviderConfigs and tool servers (the default)')
    .option('--metrics-port <port>', 'port of /metrics, /healthz, /readyz (env METRICS_PORT)', undefined)
    .option('--metrics-host <addr>', 'address of the metrics port (default 0.0.0.0)')
    .option('--watch-namespaces <a,b>', 'only these namespaces (env WATCH_NAMESPACES; default all)')
    .option('--leader-elect', 'elect a leader on a Lease before reconciling (env LEADER_ELECT=true)')
    .option('--leader-election-id <name>', 'name of the Lease (default agentplane-controller)')
    .option(
      '--controller-namespace <ns>',
      'namespace of the controller and its Lease (env POD_NAMESPACE; default kagent)',
    )
    .option('--runtime-image <image>', 'agent runtime image (env RUNTIME_IMAGE)')
    .option('--controller-url <url>', 'controller URL given to agents as KAGENT_URL (env CONTROLLER_URL)')
    .option('--database-url <url>', 'PostgreSQL URL (env DATABASE_URL; default PGlite under --data-dir)')
    .option('--data-dir <dir>', 'PGlite data folder (env DATA_DIR; default .agentplane/controller-data)')
    .option('--workers <n>', `concurrent Agent reconciles (default ${DEFAULT_AGENT_WORKERS})`)
    .option('--discovery-concurrency <n>', 'tool and model discoveries at once (default 4)')
    .option(
      '--discovery-timeout <seconds>',
      'deadline of one discovery when the resource sets none (default 30)',
    )
    .option(
      '--resync-period <seconds>',
      'replay every cached object to the reconcilers this often (default 3600; 0: never)',
    )
    .option('--api-port <port>', 'port of the HTTP API and A2A proxy (env API_PORT; default 8083)')
    .option('--api-host <addr>', 'address of the API port (default 0.0.0.0; 127.0.0.1 with --local)')
    .option(
      '--local <dir>',
      'one machine: resources from a folder of YAML (watched), agents and MCPServers as processes (env LOCAL_DIR)',
    )
    .option(
      '--agent-runtime <file>',
      'with --local: the agent runtime (default apps/agent-runtime/dist/main.js)',
    )
    .option(
      '--local-adapter <file>',
      'with --local: the MCP stdio adapter (default apps/mcp-adapter/dist/main.js)',
    )
    .option('--log-level <level>', 'trace|debug|info|warn|error|fatal|silent (env LOG_LEVEL; default info)')
    .action(async (flags: RunFlags) => {
      let config;
      try {
        config = resolveControllerConfig(flags, io.env ?? {});
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        io.stderr(`controller: ${err.message}\n`);
        setStatus(2);
        return;
      }
      let fatal: ((reason: string) => void) | undefined;
      const fatalReason = new Promise<string>((resolve) => (fatal = resolve));
      let running;
      try {
        running = await startController(config, {
          onFatal: (reason) => fatal?.(reason),
          env: io.env ?? {},
        });
      } catch (err) {
        // An unusable kubeconfig is the operator's to fix: say which file and field, no stack.
        if (!(err instanceof KubeConfigError)) throw err;
        io.stderr(`controller: ${err.message}\n`);
        setStatus(1);
        return;
      }
      const reason = await Promise.race([
        (io.shutdown ?? (() => new Promise<string>(() => undefined)))().then((signal) => ({ signal })),
        fatalReason.then((r) => ({ fatal: r })),
      ]);
      running.services.logger.info(reason, 'stopping');
      await running.stop();
      setStatus('fatal' in reason ? 1 : 0);
    });
}
