import net from 'node:net';
import tls from 'node:tls';

import type { ISocketFactory } from 'kafkajs';

/** What kafkajs's own factory sets: TCP keep-alive after a minute idle. */
const KEEP_ALIVE_DELAY_MS = 60_000;

/**
 * kafkajs's socket factory, but with a socket whose `unref()` acts once. kafkajs calls
 * `socket.end(); socket.unref()` on every disconnect of a connection, and keeps the socket
 * until the next connect; Node's `unref()` on a socket without a handle (its connect
 * refused, or still resolving) adds a `connect` listener each call, so a broker that is
 * down (the kafka-faults e2e kills one) piled up listeners on its dead socket until Node
 * warned "11 connect listeners added to [Socket]". They went with the socket, so nothing
 * leaked for long; this keeps them from piling up at all.
 */
export const socketFactory: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  // kafkajs passes its `ssl` setting as it was given: options, or nothing for plain TCP
  const tlsOptions = ssl as tls.ConnectionOptions | boolean | undefined;
  const socket = tlsOptions
    ? tls.connect(
        Object.assign(
          { host, port },
          net.isIP(host) === 0 ? { servername: host } : {},
          typeof tlsOptions === 'object' ? tlsOptions : {},
        ),
        onConnect,
      )
    : net.connect({ host, port }, onConnect);
  socket.setKeepAlive(true, KEEP_ALIVE_DELAY_MS);
  const unref = socket.unref.bind(socket);
  let unreferenced = false;
  socket.unref = () => {
    if (!unreferenced && !socket.destroyed) {
      unreferenced = true;
      unref();
    }
    return socket;
  };
  return socket;
};
