/** A container with its state brought up to date, finishing its bookkeeping if it has ended. */
import { removeFiles } from './control.js';
import type { Runtime } from './runtime.js';
import { finalizeContainer } from './start.js';
import { observeState } from './status.js';
import type { ContainerEntry } from './store.js';

export async function observeContainer(rt: Runtime, entry: ContainerEntry): Promise<ContainerEntry> {
  const { state, changed } = await observeState(entry.dir, entry.state);
  if (!changed) return entry;
  // It ended while no lade was watching (or its monitor's reap has not run yet).
  const final = await finalizeContainer(rt, entry.record.id, (e) => removeFiles(rt, e));
  return { ...entry, state: final ?? state };
}
