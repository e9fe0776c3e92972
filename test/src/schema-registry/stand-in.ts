import http from 'node:http';

/**
 * A minimal Confluent Schema Registry for tests where none can run: the REST subset
 * @kafkajs/confluent-schema-registry uses to register and fetch Avro schemas.
 *
 *   GET  /config/{subject}                       404 until set, then {compatibilityLevel}
 *   PUT  /config/{subject}                       {compatibility}
 *   POST /subjects/{subject}/versions            {schema} → {id}; the same schema keeps its id
 *   GET  /schemas/ids/{id}                       {schema}
 *   GET  /subjects                               [subject]
 *   GET  /subjects/{subject}/versions/latest     {subject, id, version, schema}
 *
 * It checks no compatibility; with TEST_STACK=containers the real registry does.
 */
export interface SchemaRegistryStandIn {
  readonly url: string;
  /** Requests answered, as "METHOD path", for assertions. */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

export async function startSchemaRegistryStandIn(): Promise<SchemaRegistryStandIn> {
  const schemasById = new Map<number, string>();
  const idsBySchema = new Map<string, number>();
  const versions = new Map<string, number[]>();
  const config = new Map<string, string>();
  const requests: string[] = [];

  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const path = decodeURIComponent((request.url ?? '/').split('?')[0] ?? '/');
      const method = request.method ?? 'GET';
      requests.push(`${method} ${path}`);
      const send = (status: number, value: unknown): void => {
        response.writeHead(status, { 'content-type': CONTENT_TYPE });
        response.end(JSON.stringify(value));
      };
      const notFound = (code: number, message: string): void => {
        send(404, { error_code: code, message });
      };
      let m: RegExpExecArray | null;
      if ((m = /^\/config\/(.+)$/.exec(path))) {
        const subject = m[1] ?? '';
        if (method === 'PUT') {
          const { compatibility } = JSON.parse(body) as { compatibility: string };
          config.set(subject, compatibility);
          send(200, { compatibility });
          return;
        }
        const level = config.get(subject);
        if (level === undefined) {
          notFound(
            40408,
            `Subject '${subject}' does not have subject-level compatibility configured`,
          );
        } else {
          send(200, { compatibilityLevel: level });
        }
        return;
      }
      if ((m = /^\/subjects\/(.+)\/versions$/.exec(path)) && method === 'POST') {
        const subject = m[1] ?? '';
        const { schema } = JSON.parse(body) as { schema: string };
        const canonical = JSON.stringify(JSON.parse(schema));
        let id = idsBySchema.get(canonical);
        if (id === undefined) {
          id = schemasById.size + 1;
          schemasById.set(id, canonical);
          idsBySchema.set(canonical, id);
        }
        const list = versions.get(subject) ?? [];
        if (!list.includes(id)) list.push(id);
        versions.set(subject, list);
        send(200, { id });
        return;
      }
      if ((m = /^\/schemas\/ids\/(\d+)$/.exec(path))) {
        const schema = schemasById.get(Number(m[1]));
        if (schema === undefined) notFound(40403, 'Schema not found');
        else send(200, { schema });
        return;
      }
      if (path === '/subjects') {
        send(200, [...versions.keys()]);
        return;
      }
      if ((m = /^\/subjects\/(.+)\/versions\/latest$/.exec(path))) {
        const subject = m[1] ?? '';
        const list = versions.get(subject);
        const id = list?.[list.length - 1];
        if (list === undefined || id === undefined) {
          notFound(40401, `Subject '${subject}' not found.`);
          return;
        }
        send(200, { subject, id, version: list.length, schema: schemasById.get(id) });
        return;
      }
      notFound(404, `no route ${method} ${path}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
