/** Port of the private MariaDB the test run starts (the stack's own runs on 3307). */
export const TEST_MARIADB_PORT = 3317;

export interface TestMariaDb {
  host: string;
  port: number;
  /** Unix socket for root access. */
  socket: string;
}
