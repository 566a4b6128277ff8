import type { OptionValues } from '../../command-spec.js';

/** The registries named with --insecure-registry (repeatable). */
export function insecureRegistries(values: OptionValues): string[] {
  const v = values['insecure-registry'];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}
