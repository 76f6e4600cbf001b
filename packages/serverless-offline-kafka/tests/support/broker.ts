/** The broker the integration tests and the benchmark use: any Kafka broker with a PLAINTEXT listener. */
import { connect } from 'node:net';

const BOOTSTRAP_VARIABLE = 'KAFKA_BOOTSTRAP_SERVERS';
export const brokers = (process.env[BOOTSTRAP_VARIABLE] ?? 'localhost:29092').split(',');

/** Why the tests cannot reach the broker, and what to do about it. */
export const unreachable = (addresses: string[], cause: string): string =>
  `no Kafka broker answers at ${addresses.join(',')} (${cause}): start one with a PLAINTEXT listener there ` +
  `(in the air-quality-pipeline repo: npm run stack:up), or set ${BOOTSTRAP_VARIABLE}=host:port to a broker that runs.`;

/** Whether something accepts TCP connections at the first address (a cheap probe, not a Kafka handshake). */
export function answers(addresses: string[] = brokers, timeoutMs = 2_000): Promise<boolean> {
  const [host, port] = addresses[0]!.split(':') as [string, string];
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port), timeout: timeoutMs });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
