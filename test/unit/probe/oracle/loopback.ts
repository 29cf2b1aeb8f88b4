/**
 * A tiny loopback HTTP server answering POST /v1/messages from a script, for driving the official SDK in tests.
 * Each request takes the next scripted reply (the last one repeats) and is recorded with its parsed body.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Loopback {
  url: string;
  requests: Array<{ path: string; body: Record<string, unknown>; headers: Record<string, string | string[] | undefined> }>;
  close(): Promise<void>;
}

export function message(stopReason: string, extra: Record<string, unknown> = {}): Reply {
  return {
    status: 200,
    headers: { 'request-id': 'req_loopback01' },
    body: {
      id: 'msg_loop', type: 'message', role: 'assistant', model: 'claude-opus-4-8', content: [],
      stop_reason: stopReason, stop_sequence: null, usage: { input_tokens: 120, output_tokens: 3 }, ...extra,
    },
  };
}

export function apiError(status: number, type: string, text: string, headers: Record<string, string> = {}): Reply {
  return { status, headers, body: { type: 'error', error: { type, message: text }, request_id: 'req_loopback02' } };
}

export async function startLoopback(script: Reply[]): Promise<Loopback> {
  const requests: Loopback['requests'] = [];
  let next = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ path: req.url ?? '', body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: req.headers });
      const reply = script[Math.min(next++, script.length - 1)]!;
      const body = JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
