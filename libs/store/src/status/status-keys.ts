/**
 * Every key of the service status board, built here and nowhere else. They live outside
 * the state generations, under one hash tag, so a report is one script on one Cluster
 * slot and the board is read in two round trips:
 *
 *   <REDIS_KEY_PREFIX>:{status}:index           zset: instance → time of its last report
 *   <REDIS_KEY_PREFIX>:{status}:i:<instance>    its snapshot (JSON), with a time to live
 *   <REDIS_KEY_PREFIX>:{status}:r:<name>        lasting hashes and lists (STATUS_RECORDS)
 *
 * An instance is `<service>/<host>-<pid>-<random>`.
 */
export class StatusKeys {
  readonly prefix: string;

  constructor(keyPrefix: string) {
    this.prefix = `${keyPrefix}:{status}:`;
  }

  index(): string {
    return `${this.prefix}index`;
  }

  instance(member: string): string {
    return `${this.prefix}i:${member}`;
  }

  record(name: string): string {
    return `${this.prefix}r:${name}`;
  }
}

/** Names of lasting records: what a status op may name (the script builds the key). */
export const RECORD_NAME = /^[a-z][a-z0-9-]{0,40}$/;
