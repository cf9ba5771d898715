// HTTP requests written on a bare socket, for tests of what a server does with a body that is
// slow, held or never sent (fetch would send it all, or not let go of it):
//
//   const held = rawRequest(port, { path: '/api/uploads', headers: { 'content-type': …, 'content-length': 15 * MB } }, firstBytes);
//   await held.written;            // the bytes are with the kernel; then the client sends nothing more
//   parseAnswer(await held.answer) // what the server said before it closed the connection
import net from 'node:net';

export interface RawRequest {
  socket: net.Socket;
  /** Everything the server sent, once the connection is closed. */
  answer: Promise<string>;
  /** The body bytes handed to the kernel. */
  written: Promise<void>;
}

/**
 * A POST with `headers` (Host is added) that sends `body` (none: the headers only) and then
 * holds — or, with `trickle`, goes on sending a zero byte a second, so an idle timeout leaves it be.
 */
export function rawRequest(
  port: number,
  request: { path: string; headers: Record<string, string | number> },
  body?: Buffer,
  o: { trickle?: boolean } = {},
): RawRequest {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => {}); // the server may reset a socket it ends
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const trickle = o.trickle ? setInterval(() => socket.write(Buffer.alloc(1)), 1000) : undefined;
  const answer = new Promise<string>((resolve) =>
    socket.once('close', () => {
      clearInterval(trickle);
      resolve(Buffer.concat(chunks).toString('utf8'));
    }),
  );
  const head = Object.entries({ host: `127.0.0.1:${port}`, ...request.headers }).map(([name, value]) => `${name}: ${value}\r\n`);
  socket.write(`POST ${request.path} HTTP/1.1\r\n${head.join('')}\r\n`);
  const written = body ? new Promise<void>((resolve) => socket.write(body, () => resolve())) : Promise.resolve();
  return { socket, answer, written };
}

/** Status, headers (lower-case names) and body of an answer read by rawRequest. */
export function parseAnswer(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const [statusLine = '', ...headerLines] = raw.slice(0, split).split('\r\n');
  const headers = Object.fromEntries(
    headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: raw.slice(split + 4) };
}
