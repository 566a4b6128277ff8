/** Which images containers use, so image removal and pruning can leave them alone (Docker's rule). */
import { observeContainer } from './observe.js';
import type { Runtime } from './runtime.js';

/** Manifest digest → a container using that image (a running one when there is one). */
export async function imagesInUse(rt: Runtime): Promise<Map<string, { id: string; running: boolean }>> {
  const used = new Map<string, { id: string; running: boolean }>();
  for (const entry of await rt.containers.list()) {
    const current = await observeContainer(rt, entry);
    const running = current.state.status === 'running';
    const seen = used.get(entry.record.image.manifest);
    if (seen === undefined || (running && !seen.running)) used.set(entry.record.image.manifest, { id: entry.record.id, running });
  }
  return used;
}
