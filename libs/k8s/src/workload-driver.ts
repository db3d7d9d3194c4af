/** What to run for one workload (a Deployment plus Service, on one machine). */
export interface WorkloadSpec {
  namespace: string;
  name: string;
  command: string;
  args?: readonly string[];
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** The port the workload serves on; absent or 0: a free loopback port, kept across restarts. */
  port?: number;
  /** Environment variable that tells the workload its port. Default `PORT`. */
  portEnv?: string;
  /** HTTP path polled until it answers below 400; absent: ready once the port accepts connections. */
  readinessPath?: string;
}

export type WorkloadPhase = 'Starting' | 'Running' | 'BackOff' | 'Stopped';

export interface WorkloadStatus {
  namespace: string;
  name: string;
  phase: WorkloadPhase;
  /** True once the readiness check passed for the current process. */
  ready: boolean;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  pid?: number;
  /** Times the process was started again after it exited by itself. */
  restarts: number;
  lastExitCode?: number | null;
  lastExitSignal?: string | null;
  /** Why the last start failed, if it did. */
  lastError?: string;
}

/**
 * Runs workloads. The Kubernetes side of this is Deployments and Services (applied by the
 * reconcilers as children); on one machine the process driver runs each as a child process.
 */
export interface WorkloadDriver {
  /** Starts the workload, or restarts it when the spec changed; an unchanged spec does nothing. */
  apply(spec: WorkloadSpec): Promise<WorkloadStatus>;
  /** Stops and forgets a workload; resolves false when there was none. */
  delete(namespace: string, name: string): Promise<boolean>;
  status(namespace: string, name: string): WorkloadStatus | undefined;
  list(): WorkloadStatus[];
  /** Called whenever a workload's status changes (started, ready, exited, stopped). */
  onChange(listener: (status: WorkloadStatus) => void): () => void;
  /** Stops every workload. */
  close(): Promise<void>;
}
