import { execFileSync } from 'node:child_process';

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

/** `openjdk version "17.0.15" 2025-04-15` → 17; `java version "1.8.0_392"` → 8. */
export function parseJavaVersion(text: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(text);
  if (m === null) return undefined;
  const major = Number(m[1]);
  return major === 1 ? Number(m[2]) : major;
}

let javaVersion: number | undefined | null = null;

function hasJava17(): boolean {
  if (javaVersion === null) {
    try {
      // `java -version` writes to stderr
      javaVersion = parseJavaVersion(
        execFileSync('sh', ['-c', 'java -version 2>&1'], { encoding: 'utf8' }),
      );
    } catch {
      javaVersion = undefined;
    }
  }
  return javaVersion !== undefined && javaVersion >= 17;
}

const REQUIREMENTS: readonly Requirement[] = [
  { pkg: 'redis-server', why: 'the local Redis', present: () => onPath('redis-server') },
  {
    pkg: 'openjdk-17-jre-headless',
    why: 'the local Apache Kafka broker and Schema Registry (Java 17 or newer)',
    present: hasJava17,
  },
  {
    pkg: 'maven',
    why: 'fetching Apache Kafka and Apicurio Registry from Maven Central',
    present: () => onPath('mvn'),
  },
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
