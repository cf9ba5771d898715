// A local stand-in for Alibaba Cloud SMS (dysmsapi SendSms) for tests: a node:http server that
// checks each request's ACS3-HMAC-SHA256 signature with the secret (recomputed with the portal's
// own canonicalisation from what arrived on the wire, so a wrong header, query or body fails), and
// answers as Alibaba does — {"Code":"OK","BizId","RequestId"} or an error Code. It can be told to
// fail (HTTP 500, a throttling code, a permanent code, or hang) and then recover, or to answer a
// few more and then hang (a provider that stops answering in the middle of a pass).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { acs3Sign, parseAcs3Authorization, sha256Hex } from '../../server/notify/acs3-signature.ts';

export type StandInMode = 'ok' | 'http-500' | 'throttled' | 'invalid-number' | 'hang';

export interface ReceivedSms {
  phone: string;
  signName: string;
  templateCode: string;
  params: Record<string, string>;
  bizId: string;
}

export interface SmsStandIn {
  endpoint: string;
  /** Messages accepted (Code OK), in order. */
  accepted: ReceivedSms[];
  /** Requests seen, including refused ones. */
  requests: number;
  /** Requests whose signature did not verify. */
  badSignatures: number;
  setMode(mode: StandInMode): void;
  /** Answers the next `count` requests as 'ok' does, then hangs every further one (setMode ends it). */
  hangAfter(count: number): void;
  close(): Promise<void>;
}

export async function startSmsStandIn(o: { accessKeyId: string; accessKeySecret: string }): Promise<SmsStandIn> {
  let mode: StandInMode = 'ok';
  let okLeft: number | null = null;
  const hanging = new Set<http.ServerResponse>();
  const state = { accepted: [] as ReceivedSms[], requests: 0, badSignatures: 0 };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      const body = Buffer.concat(chunks).toString('utf8');
      const requestId = randomBytes(8).toString('hex').toUpperCase();
      const answer = (status: number, json: Record<string, string>) => {
        res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
        res.end(JSON.stringify({ RequestId: requestId, ...json }));
      };
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const auth = parseAcs3Authorization(String(req.headers['authorization'] ?? ''));
      const headers: Record<string, string> = {};
      for (const name of auth?.signedHeaders ?? []) headers[name] = String(req.headers[name] ?? '');
      const query = Object.fromEntries(url.searchParams);
      const expected = acs3Sign(
        { method: req.method ?? 'POST', path: url.pathname, query, headers, body },
        o.accessKeyId,
        o.accessKeySecret,
      );
      const signedNeeded = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'];
      if (
        !auth ||
        auth.accessKeyId !== o.accessKeyId ||
        auth.signature !== expected.signature ||
        !signedNeeded.every((h) => auth.signedHeaders.includes(h)) ||
        headers['x-acs-content-sha256'] !== sha256Hex(body)
      ) {
        state.badSignatures++;
        answer(400, { Code: 'SignatureDoesNotMatch', Message: 'Specified signature is not matched with our calculation.' });
        return;
      }
      if (headers['x-acs-action'] !== 'SendSms' || headers['x-acs-version'] !== '2017-05-25') {
        answer(400, { Code: 'InvalidAction.NotFound', Message: 'Specified api is not found.' });
        return;
      }
      switch (mode) {
        case 'hang':
          hanging.add(res);
          return;
        case 'http-500':
          answer(500, { Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' });
          return;
        case 'throttled':
          answer(200, { Code: 'isv.BUSINESS_LIMIT_CONTROL', Message: '触发号码天级流控Permits:10' });
          return;
        case 'invalid-number':
          answer(200, { Code: 'isv.MOBILE_NUMBER_ILLEGAL', Message: '非法手机号' });
          return;
        case 'ok': {
          if (okLeft === 0) {
            hanging.add(res);
            return;
          }
          if (okLeft !== null) okLeft--;
          const bizId = `${Date.now()}^${state.accepted.length}`;
          state.accepted.push({
            phone: query['PhoneNumbers'] ?? '',
            signName: query['SignName'] ?? '',
            templateCode: query['TemplateCode'] ?? '',
            params: JSON.parse(query['TemplateParam'] ?? '{}') as Record<string, string>,
            bizId,
          });
          answer(200, { Code: 'OK', Message: 'OK', BizId: bizId });
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    get accepted() {
      return state.accepted;
    },
    get requests() {
      return state.requests;
    },
    get badSignatures() {
      return state.badSignatures;
    },
    setMode(next) {
      if (next !== 'hang') {
        for (const res of hanging) res.destroy();
        hanging.clear();
      }
      mode = next;
      okLeft = null;
    },
    hangAfter(count) {
      mode = 'ok';
      okLeft = count;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
