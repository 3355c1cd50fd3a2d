import { connect } from 'node:net';

const opMsg = 2013;

/**
 * Sends the MongoDB wire-protocol command {ping: 1} to host:port and resolves
 * true when the server answers ok: 1. Speaks the protocol directly (one
 * OP_MSG) so that testkit needs no MongoDB driver. Rejects on a socket error.
 */
export function pingMongo(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const finish = (error: Error | undefined, ok = false) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`no answer to ping from ${host}:${port}`)));
    socket.once('error', (error) => finish(error));
    socket.once('connect', () => socket.write(pingMessage()));

    let received = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < received.readInt32LE(0)) return;
      finish(undefined, received.readInt32LE(12) === opMsg && answersOk(received));
    });
  });
}

/** OP_MSG header, no flags, one body section holding the BSON {ping: 1, $db: "admin"}. */
function pingMessage(): Buffer {
  const db = Buffer.from('admin\0');
  const body = Buffer.concat([
    Buffer.from([0x10]), Buffer.from('ping\0'), int32(1), // int32 element
    Buffer.from([0x02]), Buffer.from('$db\0'), int32(db.length), db, // string element
    Buffer.from([0x00]),
  ]);
  const document = Buffer.concat([int32(body.length + 4), body]);
  const message = Buffer.concat([int32(0), int32(1), int32(0), int32(opMsg), int32(0), Buffer.from([0]), document]);
  message.writeInt32LE(message.length, 0);
  return message;
}

/** The reply holds the double element ok: 1 (enough for a readiness check; not a BSON parser). */
function answersOk(reply: Buffer): boolean {
  const okElement = Buffer.from([0x01, ...Buffer.from('ok\0')]);
  const at = reply.indexOf(okElement, 21);
  return at !== -1 && at + okElement.length + 8 <= reply.length && reply.readDoubleLE(at + okElement.length) === 1;
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32LE(value);
  return buffer;
}
