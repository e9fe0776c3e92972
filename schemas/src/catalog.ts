import { COMMON_FIELDS, EVENT_DEFINITIONS, type Stream } from './events.js';
import type { FieldKind, FieldSpec } from './fields.js';

const STREAM_TOPICS: Record<Stream, string> = {
  directory: '`cc.directory` (compacted)',
  contacts: '`cc.contact-events`',
  agents: '`cc.agent-events`',
};

function typeOf(kind: FieldKind): string {
  switch (kind.type) {
    case 'id':
      return 'id';
    case 'text':
      return 'string';
    case 'enum':
      return kind.values.map((v) => `\`${v}\``).join(' \\| ');
    case 'durationMs':
      return 'integer ms';
    case 'idList':
      return 'id[]';
    case 'timestamp':
      return 'date-time with offset';
  }
}

function row(name: string, spec: FieldSpec): string {
  const doc = spec.kind.type === 'enum' ? spec.doc.replace(/ One of: .*$/, '') : spec.doc;
  return `| \`${name}\`${spec.optional ? '' : ' ✱'} | ${typeOf(spec.kind)} | ${doc} |`;
}

/**
 * The event catalogue in Markdown, generated from the same definitions as validation and
 * the Avro schemas; docs/events.md embeds it and a test keeps the two identical.
 */
export function renderEventCatalog(): string {
  const lines: string[] = [
    '| field | type | meaning |',
    '| --- | --- | --- |',
    row('eventId', COMMON_FIELDS.eventId),
    '| `type` ✱ | string | the event type, below |',
    row('occurredAt', COMMON_FIELDS.occurredAt),
    '',
  ];
  for (const definition of EVENT_DEFINITIONS) {
    lines.push(
      `### \`${definition.type}\``,
      '',
      `${definition.doc} Topic ${STREAM_TOPICS[definition.stream]}, key ${
        definition.stream === 'directory'
          ? `\`${definition.keyField.replace(/Id$/, '')}:<${definition.keyField}>\``
          : `\`${definition.keyField}\``
      }; Avro record \`${definition.recordName}\`.`,
      '',
      '| field | type | meaning |',
      '| --- | --- | --- |',
      ...Object.entries(definition.fields as Readonly<Record<string, FieldSpec>>).map(
        ([name, spec]) => row(name, spec),
      ),
      '',
    );
  }
  return lines.join('\n');
}
