// One machine, BYO agents: what process a BYO Agent's Deployment container becomes. Pure: the
// caller resolves the container's environment and chooses the port.

/** The reason on the Deployment (and so in the Agent's `Ready` message) of an image-only BYO agent. */
export const LOCAL_COMMAND_MISSING = 'LocalCommandMissing';

export const LOCAL_COMMAND_MISSING_MESSAGE =
  'an image-only BYO agent cannot run locally: set spec.byo.deployment.cmd (and args) to a ' +
  'command that serves A2A on the port in $PORT (or pass it with an argument such as $(PORT))';

export interface ByoContainer {
  command?: readonly string[];
  args?: readonly string[];
}

export type ByoProcess =
  { ok: true; command: string; args: string[] } | { ok: false; reason: string; message: string };

/**
 * The process of a BYO agent's container, as a kubelet would start it: `command` (from
 * `spec.byo.deployment.cmd`) then `args`, with `$(VAR)` references expanded from the
 * container's environment (`$$` stands for `$`; unknown variables stay as written). Without a
 * command the container only names an image, which cannot run here.
 */
export function byoProcess(container: ByoContainer, env: Readonly<Record<string, string>>): ByoProcess {
  const [command, ...rest] = (container.command ?? []).map((part) => expandEnvReferences(part, env));
  if (command === undefined || command.trim() === '') {
    return { ok: false, reason: LOCAL_COMMAND_MISSING, message: LOCAL_COMMAND_MISSING_MESSAGE };
  }
  return {
    ok: true,
    command,
    args: [...rest, ...(container.args ?? []).map((arg) => expandEnvReferences(arg, env))],
  };
}

/** Kubernetes' `$(VAR)` expansion of a container's command and args. */
export function expandEnvReferences(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(/\$(\$|\(([A-Za-z_][A-Za-z0-9_.-]*)\))/g, (whole, token: string, name?: string) => {
    if (token === '$') return '$';
    return name !== undefined && Object.hasOwn(env, name) ? (env[name] ?? whole) : whole;
  });
}
