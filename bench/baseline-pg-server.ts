// The PostgreSQL intake benchmark's baseline (bench/pg-intake.ts): a bare node:http handler that
// parses the same JSON and inserts the same ticket row, with its reporter row and submit event,
// into the same PostgreSQL database in one transaction, through a pg pool as large as the
// portal's (10) — no framework, validation or routing. Started twice, like the portal's web processes.
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

const [url, portArg] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url!, max: 10 });

async function insert(input: { description: string; location?: { address?: string }; reporter?: { phone?: string } }, ip: string | null) {
  const at = new Date().toISOString();
  const code = randomBytes(6).toString('base64url');
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ id: number }>(
      `INSERT INTO tickets (tracking_code, status, channel, description, cooperating_unit_codes, location_address, created_at, updated_at, version)
       VALUES ($1, 'received', 'web', $2, '[]', $3, $4, $4, 1) RETURNING id`,
      [code, input.description, input.location?.address ?? null, at],
    );
    const id = rows[0]!.id;
    await client.query('INSERT INTO ticket_reporters (ticket_id, anonymous, phone, ip) VALUES ($1, 0, $2, $3)', [
      id,
      input.reporter?.phone ?? null,
      ip,
    ]);
    await client.query(
      `INSERT INTO ticket_events (ticket_id, seq, at, actor_kind, action, to_status, data) VALUES ($1, 1, $2, 'resident', 'submit', 'received', '{}')`,
      [id, at],
    );
    await client.query('COMMIT');
    return code;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

http
  .createServer((req, res) => {
    if (req.method === 'GET') return void res.end('ok'); // health check
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Parameters<typeof insert>[0];
      insert(input, req.socket.remoteAddress ?? null).then(
        (code) => {
          const body = JSON.stringify({ trackingCode: code });
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
          res.end(body);
        },
        () => {
          res.writeHead(500);
          res.end();
        },
      );
    });
  })
  .listen(Number(portArg), '127.0.0.1', () => console.log('baseline ready'));
