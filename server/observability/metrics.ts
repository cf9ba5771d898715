// The portal's metrics in the Prometheus text format (issue 18, item 3), through prom-client, one
// registry per portal: HTTP requests by route, method and status with a latency histogram, and
// reports accepted by channel, counted by the process that did the work; and, read from the
// database at each scrape (metrics-repository.ts), so every process answers the same: open and
// overdue tickets, how long the oldest notification mail has waited, quarantined mail, the age of
// the mailbox's last good read, the live public site's build time. Process metrics (memory, CPU,
// event-loop lag) come with prom-client's defaults. Served by the host at /metrics, to configured
// addresses or a bearer token only (metrics-access.ts).
import type { Kysely } from 'kysely';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/schema.ts';
import { lastMailboxRead, lastPublishDuration, oldestPendingMail, quarantinedMail, ticketGauges } from './metrics-repository.ts';

export interface Metrics {
  /** A finished HTTP request. */
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  /** A report committed, by its channel (web, mail, hotline …). */
  reportAccepted(channel: string): void;
  /** Further gauges read at each scrape (the backup's age …). */
  addGauge(name: string, help: string, read: () => Promise<number | null>): void;
  contentType: string;
  /** The text a scrape gets. */
  render(): Promise<string>;
}

export function createMetrics(deps: { db: Kysely<Database>; clock: Clock }): Metrics {
  const { db, clock } = deps;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'portal_' });

  const requests = new Counter({
    name: 'portal_http_requests_total',
    help: 'HTTP requests answered, by route, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'portal_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route.',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const reports = new Counter({
    name: 'portal_reports_accepted_total',
    help: 'Reports committed as tickets by this process, by channel.',
    labelNames: ['channel'] as const,
    registers: [registry],
  });

  const secondsSince = (iso: string | null) => (iso === null ? null : Math.max(0, (clock.now().getTime() - Date.parse(iso)) / 1000));
  const gauge = (name: string, help: string, read: () => Promise<number | null>) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const value = await read();
        // Nothing to say (no mailbox, no build yet): the series is left out rather than made up.
        if (value === null) this.reset();
        else this.set(value);
      },
    });

  // Both ticket figures from one query per scrape: prom-client collects the gauges side by side,
  // so the second finds the first's query under way and shares it.
  let counting: ReturnType<typeof ticketGauges> | null = null;
  const ticketCounts = () => {
    counting ??= ticketGauges(db).finally(() => {
      counting = null;
    });
    return counting;
  };
  gauge('portal_tickets_open', 'Tickets not closed, rejected or merged.', async () => (await ticketCounts()).open);
  gauge('portal_tickets_overdue', 'Open tickets past their deadline.', async () => (await ticketCounts()).overdue);
  gauge(
    'portal_mail_outbox_lag_seconds',
    'How long the oldest notification mail still to send has waited (0: none waits).',
    async () => secondsSince(await oldestPendingMail(db)) ?? 0,
  );
  gauge('portal_mail_quarantined', 'Mail of the dedicated mailbox set aside for the office, not re-processed.', () => quarantinedMail(db));
  gauge('portal_mailbox_last_read_age_seconds', "Since the dedicated mailbox's last good read.", async () =>
    secondsSince(await lastMailboxRead(db)),
  );
  gauge('portal_publish_duration_seconds', "The live public site's build, from its start to live.", async () => {
    const build = await lastPublishDuration(db);
    return build ? (Date.parse(build.finishedAt) - Date.parse(build.startedAt)) / 1000 : null;
  });

  return {
    observeRequest(route, method, status, seconds) {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route }, seconds);
    },
    reportAccepted: (channel) => reports.inc({ channel }),
    addGauge: (name, help, read) => void gauge(name, help, read),
    contentType: registry.contentType,
    render: () => registry.metrics(),
  };
}

/**
 * The route label of a request path: the part of the portal it reached, never the path itself
 * (ids, tracking codes and search words would make the series unbounded and could carry personal data).
 */
export function routeOf(pathname: string): string {
  const known =
    /^\/(api\/trpc|api\/uploads|api\/ledgers|api\/inspection|media|console|report|track|healthz|readyz|metrics|elderly|_astro|pagefind)(\/|$)/.exec(
      pathname,
    );
  return known ? `/${known[1]}` : 'public';
}
