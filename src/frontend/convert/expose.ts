/** EXPOSE ports → ExposedPorts keys, as Docker's nat.ParsePortSpecs does for the image config. */
import { locatedError, type InstructionLocation } from '../instructions/index.js';

/** `80`, `80/udp`, `3000-3002/tcp` → `80/tcp`, `80/udp`, `3000/tcp`, `3001/tcp`, `3002/tcp`. */
export function parseExposedPorts(ports: readonly string[], location: InstructionLocation): string[] {
  const out: string[] = [];
  for (const raw of ports) {
    const slash = raw.lastIndexOf('/');
    const range = slash < 0 ? raw : raw.slice(0, slash);
    const proto = (slash < 0 ? 'tcp' : raw.slice(slash + 1)).toLowerCase();
    if (!['tcp', 'udp', 'sctp'].includes(proto)) throw locatedError(`invalid proto: ${proto}`, location);
    const m = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (m === null) throw locatedError(`invalid containerPort: ${range}`, location);
    const start = Number(m[1]);
    const end = m[2] === undefined ? start : Number(m[2]);
    if (start > 65535 || end > 65535 || end < start) throw locatedError(`invalid range specified for container port: ${range}`, location);
    for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  }
  return out;
}
