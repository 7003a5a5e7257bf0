export interface TestMariaDb {
  host: string;
  port: number;
  /** Unix socket for root access. */
  socket: string;
}
