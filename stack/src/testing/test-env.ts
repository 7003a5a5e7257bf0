export interface TestMariaDb {
  host: string;
  port: number;
  /** Unix socket for root access. */
  socket: string;
}

/** The run's private Unleash (on its own PostgreSQL), with the tokens it was created with. */
export interface TestUnleash {
  /** Base URL, e.g. http://127.0.0.1:41234 (Admin API under /api/admin, client API under /api/client). */
  unleashUrl: string;
  /** `*:*.<secret>`: the Admin API. */
  adminToken: string;
  /** `default:development.<secret>`: GET /api/client/features. */
  clientToken: string;
}
