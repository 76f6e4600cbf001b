import { Kafka, logLevel } from 'kafkajs';
import type { KafkaSettings } from './config';

/** kafkajs client with retries suited to a local broker that may still be starting. */
export function createKafka(settings: KafkaSettings, clientIdSuffix?: string): Kafka {
  return new Kafka({
    clientId: clientIdSuffix ? `${settings.clientId}-${clientIdSuffix}` : settings.clientId,
    brokers: settings.brokers,
    logLevel: logLevel.ERROR,
    connectionTimeout: 3000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
  });
}
