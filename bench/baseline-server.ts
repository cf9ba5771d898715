// The benchmark's baseline: a bare node:http handler that parses the same JSON and inserts the
// same ticket row (with its reporter row and submit event) into the same SQLite file, with
// node:sqlite and no framework, validation or routing. Started by bench/run.ts.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { DatabaseSync } from 'node:sqlite';

const [file, portArg] = process.argv.slice(2);
const db = new DatabaseSync(file!);
db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
const insertTicket = db.prepare(`INSERT INTO tickets (tracking_code, status, channel, description, cooperating_unit_codes,
  location_address, created_at, updated_at, version) VALUES (?, 'received', 'web', ?, '[]', ?, ?, ?, 1) RETURNING id`);
const insertReporter = db.prepare('INSERT INTO ticket_reporters (ticket_id, anonymous, phone, ip) VALUES (?, 0, ?, ?)');
const insertEvent = db.prepare(`INSERT INTO ticket_events (ticket_id, seq, at, actor_kind, action, to_status, data)
  VALUES (?, 1, ?, 'resident', 'submit', 'received', '{}')`);

http
  .createServer((req, res) => {
    if (req.method === 'GET') return void res.end('ok'); // health check
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        description: string;
        location?: { address?: string };
        reporter?: { phone?: string };
      };
      const at = new Date().toISOString();
      const code = randomBytes(6).toString('base64url');
      db.exec('BEGIN');
      const row = insertTicket.get(code, input.description, input.location?.address ?? null, at, at) as { id: number };
      insertReporter.run(row.id, input.reporter?.phone ?? null, req.socket.remoteAddress ?? null);
      insertEvent.run(row.id, at);
      db.exec('COMMIT');
      const body = JSON.stringify({ trackingCode: code });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  })
  .listen(Number(portArg), '127.0.0.1', () => console.log('baseline ready'));
