import { hasCredentials } from '@wfm-stream/config';
import { TARGET_NAME, targetsJson } from '@wfm-stream/export';
import { z } from 'zod';

/**
 * EXPORT_TARGETS: a JSON array of targets, each `{ "name": …, "kind": …, … }`. The
 * fields per kind are below; README.md has examples.
 */

const name = z.string().regex(TARGET_NAME, 'must be 1–64 letters, digits, ".", "_" or "-"');

const httpUrl = z.string().refine((text) => {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

/** Credentials and headers of an HTTP target: basic (username + password) or a bearer token. */
const httpAccess = {
  username: z.string().min(1).optional(),
  password: z.string().optional(),
  bearerToken: z.string().min(1).optional(),
  /** Extra headers on every request (a tenant id, an API key header…). */
  headers: z.record(z.string(), z.string()).optional(),
};

function checkAccess(
  target: {
    url?: string | undefined;
    username?: string | undefined;
    password?: string | undefined;
    bearerToken?: string | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (
    target.url !== undefined &&
    hasCredentials(target.url) &&
    (target.username !== undefined || target.bearerToken !== undefined)
  )
    ctx.addIssue({
      code: 'custom',
      path: ['url'],
      message: 'carries credentials: give them in the URL or as username/bearerToken, not both',
    });
  if (target.username !== undefined && target.password === undefined)
    ctx.addIssue({ code: 'custom', path: ['password'], message: 'is required with username' });
  if (target.password !== undefined && target.username === undefined)
    ctx.addIssue({ code: 'custom', path: ['username'], message: 'is required with password' });
  if (target.bearerToken !== undefined && target.username !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['bearerToken'],
      message: 'and username cannot both be set: choose basic or bearer',
    });
}

export const calabrioJsonSchema = z
  .object({
    name,
    kind: z.literal('calabrio-json'),
    /** Base URL; each record set is POSTed to base + its path. */
    url: httpUrl,
    ...httpAccess,
    paths: z
      .object({
        queueStatistics: z.string().default('queue-statistics'),
        agentActivity: z.string().default('agent-activity'),
        agentLogin: z.string().default('agent-login'),
      })
      .strict()
      .default({
        queueStatistics: 'queue-statistics',
        agentActivity: 'agent-activity',
        agentLogin: 'agent-login',
      }),
  })
  .strict()
  .superRefine(checkAccess);

export const pipkinsJsonSchema = z
  .object({
    name,
    kind: z.literal('pipkins-json'),
    /** One POST per interval, all three record sets in one document. */
    url: httpUrl,
    ...httpAccess,
  })
  .strict()
  .superRefine(checkAccess);

export const calabrioQueueFileSchema = z
  .object({
    name,
    kind: z.literal('calabrio-queue-file'),
    /** Write each file here (atomically)… */
    directory: z.string().min(1).optional(),
    /** …or POST it here (text/csv). Exactly one of the two. */
    url: httpUrl.optional(),
    ...httpAccess,
    /** Date and time columns in UTC (default; choose UTC as the import's time zone) or in TIMEZONE. */
    timeZone: z.enum(['utc', 'local']).default('utc'),
    /** Field separator; Calabrio prefers semicolons. */
    separator: z.enum([';', ',']).default(';'),
    /** The import's queue column is an integer: groupId → queue number. */
    queueCodes: z.record(z.string(), z.number().int().min(0).max(2_147_483_647)).default({}),
  })
  .strict()
  .superRefine((target, ctx) => {
    if ((target.directory === undefined) === (target.url === undefined))
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of directory and url' });
    checkAccess(target, ctx);
  });

export const fileDropSchema = z
  .object({
    name,
    kind: z.literal('file-drop'),
    /** One JSON file per interval and record set, written atomically. */
    directory: z.string().min(1),
  })
  .strict();

export const targetSchema = z.discriminatedUnion('kind', [
  calabrioJsonSchema,
  pipkinsJsonSchema,
  calabrioQueueFileSchema,
  fileDropSchema,
]);

export type TargetConfig = z.output<typeof targetSchema>;
export type CalabrioJsonConfig = z.output<typeof calabrioJsonSchema>;
export type PipkinsJsonConfig = z.output<typeof pipkinsJsonSchema>;
export type CalabrioQueueFileConfig = z.output<typeof calabrioQueueFileSchema>;
export type FileDropConfig = z.output<typeof fileDropSchema>;

/** The EXPORT_TARGETS setting: the JSON text, validated, names unique. */
export function targetsSetting() {
  return z
    .string()
    .default('[]')
    .transform((text, ctx): TargetConfig[] => {
      const json = targetsJson(text, ctx);
      if (json === undefined) return z.NEVER;
      const parsed = json.value;
      const result = z.array(targetSchema).safeParse(parsed);
      if (!result.success) {
        for (const issue of result.error.issues) {
          const at = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`));
          ctx.addIssue({ code: 'custom', message: `${at.join('')} ${issue.message}`.trim() });
        }
        return z.NEVER;
      }
      const seen = new Set<string>();
      for (const target of result.data) {
        if (seen.has(target.name))
          ctx.addIssue({ code: 'custom', message: `names the target "${target.name}" twice` });
        seen.add(target.name);
      }
      return result.data;
    });
}
