/**
 * Staying attached to a container lade started: signals lade receives go to the container (Docker's
 * --sig-proxy), and when the process ends its state is recorded (and `--rm` honoured) before
 * lade exits with the container's status.
 */
import { finalizeContainer, removeFiles, type ContainerEntry, type Runtime } from '../../../container/index.js';
import type { SandboxHandle } from '../../../executor/index.js';

const FORWARDED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH'];

/**
 * Listens from before the container starts, so a signal that arrives while it is starting is
 * held and delivered once there is a process to deliver it to, rather than taking Node's
 * default action (SIGUSR1 would open Node's inspector, SIGTERM would kill lade alone).
 */
export class SignalProxy {
  private handle: SandboxHandle | undefined;
  private readonly pending: NodeJS.Signals[] = [];
  private readonly listeners: Array<[NodeJS.Signals, () => void]> = [];

  constructor() {
    for (const signal of FORWARDED) {
      const listener = () => this.deliver(signal);
      process.on(signal, listener);
      this.listeners.push([signal, listener]);
    }
  }

  private deliver(signal: NodeJS.Signals): void {
    if (this.handle === undefined) {
      this.pending.push(signal);
      return;
    }
    try {
      this.handle.kill(signal);
    } catch {
      // The monitor has gone already; its exit ends the wait.
    }
  }

  attach(handle: SandboxHandle): void {
    this.handle = handle;
    for (const signal of this.pending.splice(0)) this.deliver(signal);
  }

  close(): void {
    for (const [signal, listener] of this.listeners) process.off(signal, listener);
  }
}

/** Forwards signals to `handle` until it exits; resolves with its exit. */
export async function forwardSignals(proxy: SignalProxy, handle: SandboxHandle): Promise<{ exitCode: number; signal: number }> {
  proxy.attach(handle);
  try {
    return await handle.exit;
  } finally {
    proxy.close();
  }
}

export async function attachAndWait(rt: Runtime, entry: ContainerEntry, handle: SandboxHandle, proxy: SignalProxy): Promise<number> {
  const exit = await forwardSignals(proxy, handle);
  const final = await finalizeContainer(rt, entry.record.id, (e) => removeFiles(rt, e));
  return final?.exitCode ?? exit.exitCode;
}
