/** What the test run's global setup (stack/src/testing/global-setup.ts) provides to every test file through `inject`. */
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

/** The run's private Kafka (KRaft) and Kafka Connect worker with the Debezium MariaDB connector plugin. */
export interface TestKafka {
  brokers: string[];
  /** Kafka Connect REST API, e.g. http://127.0.0.1:41235. */
  connectUrl: string;
  /**
   * An account on the run's MariaDB with what Debezium needs (snapshot reads + replication), and the `${file:…}`
   * reference under which the worker reads its password.
   */
  cdcAccount: { user: string; passwordReference: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    mariadb: TestMariaDb;
    unleash: TestUnleash;
    kafka: TestKafka;
  }
}
