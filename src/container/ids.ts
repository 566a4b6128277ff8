/** Container IDs and names as Docker makes them: 64 random hex digits, and `adjective_surname` names. */
import { randomBytes, randomInt } from 'node:crypto';
import { ErrorCode, LadeError } from '../errors/index.js';

export function newContainerId(): string {
  return randomBytes(32).toString('hex');
}

// lade's own word lists (Docker's shape, not Docker's words): pioneers of computing and of
// operating systems, and adjectives that read well in front of them.
const ADJECTIVES = [
  'agile', 'amber', 'ancient', 'bold', 'brave', 'bright', 'calm', 'candid', 'careful', 'cheerful', 'clever',
  'crisp', 'curious', 'daring', 'deft', 'eager', 'earnest', 'fearless', 'festive', 'fond', 'gentle', 'glad',
  'golden', 'graceful', 'happy', 'hardy', 'honest', 'humble', 'jolly', 'keen', 'kind', 'lively', 'loyal',
  'lucid', 'merry', 'mindful', 'modest', 'nimble', 'noble', 'patient', 'placid', 'polite', 'proud', 'quiet',
  'quick', 'radiant', 'rapid', 'serene', 'sharp', 'shy', 'silent', 'sleepy', 'smooth', 'snug', 'spry',
  'steady', 'stoic', 'sturdy', 'sunny', 'swift', 'tender', 'tidy', 'upbeat', 'vivid', 'warm', 'wise', 'witty',
  'zealous',
];
const SURNAMES = [
  'allen', 'babbage', 'backus', 'bartik', 'berners', 'cerf', 'clarke', 'codd', 'conway', 'corbato', 'cray',
  'dijkstra', 'engelbart', 'floyd', 'goldberg', 'hamming', 'hamilton', 'hoare', 'hopper', 'johnson', 'kahn',
  'kay', 'kernighan', 'kildall', 'knuth', 'lamport', 'liskov', 'lovelace', 'mccarthy', 'mcilroy', 'minsky',
  'moore', 'naur', 'neumann', 'nygaard', 'ossanna', 'perlman', 'pike', 'ritchie', 'sammet', 'shannon',
  'sutherland', 'tanenbaum', 'thompson', 'torvalds', 'turing', 'wheeler', 'wilkes', 'wirth', 'wozniak',
];

export function randomName(): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]!}_${SURNAMES[randomInt(SURNAMES.length)]!}`;
}

/** Docker's rule for `--name`: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, an optional leading `/` dropped. */
export function validateName(name: string): string {
  const bare = name.startsWith('/') ? name.slice(1) : name;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(bare)) {
    throw new LadeError(ErrorCode.Usage, `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
  return bare;
}
