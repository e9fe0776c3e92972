import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** A Debian package the local stack needs, and how to tell whether it is there. */
interface Requirement {
  readonly pkg: string;
  readonly why: string;
  readonly present: () => boolean;
}

function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const REQUIREMENTS: readonly Requirement[] = [
  { pkg: 'redis-server', why: 'the local Redis', present: () => onPath('redis-server') },
  {
    pkg: 'librdkafka-dev',
    why: "the local Kafka-protocol broker (librdkafka's mock cluster)",
    present: () =>
      fs.existsSync('/usr/include/librdkafka/rdkafka_mock.h') ||
      fs.existsSync('/usr/local/include/librdkafka/rdkafka_mock.h'),
  },
  { pkg: 'gcc', why: 'building the broker launcher', present: () => onPath('gcc') },
];

export interface SystemCheck {
  readonly missing: readonly { readonly pkg: string; readonly why: string }[];
  /** The command that installs what is missing. */
  readonly installCommand: string;
}

export function checkSystemPackages(): SystemCheck {
  const missing = REQUIREMENTS.filter((r) => !r.present()).map(({ pkg, why }) => ({ pkg, why }));
  return {
    missing,
    installCommand: `sudo apt-get install -y ${missing.map((m) => m.pkg).join(' ')}`,
  };
}

/** A message for people, or undefined when everything is installed. */
export function describeMissingPackages(
  check: SystemCheck = checkSystemPackages(),
): string | undefined {
  if (check.missing.length === 0) return undefined;
  const lines = check.missing.map((m) => `  - ${m.pkg} (for ${m.why})`);
  return `Missing system packages:\n${lines.join('\n')}\nInstall them with:\n  ${check.installCommand}`;
}
