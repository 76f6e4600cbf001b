/**
 * Creates the pipeline's topics on the Kafka the environment names, as the functions connect to it:
 *
 *   KAFKA_BOOTSTRAP_SERVERS=pkc-xxxxx.eu-west-1.aws.confluent.cloud:9092 KAFKA_AUTH=sasl-plain \
 *   KAFKA_SECRET_ARN=arn:aws:secretsmanager:... npm run kafka:topics
 *
 * Idempotent; partitions from KAFKA_TOPIC_PARTITIONS (default 3), replication from the cluster's default.
 */
import { loadConfig } from '../shared/config';
import { kafkaFailureHint } from '../shared/kafka';
import { ensureTopics } from '../stack/provision';

async function main() {
  const config = loadConfig();
  const { readings, deadLetter, predictions, partitions } = config.topics;
  console.log(
    `Kafka ${config.kafka.brokers.join(',')} (KAFKA_AUTH=${config.kafka.auth.mode}): topics ${readings}, ${deadLetter}, ${predictions} with ${partitions} partitions`,
  );
  try {
    const created = await ensureTopics(config);
    console.log(
      created.length > 0
        ? `created ${created.join(', ')}; every partition has a leader`
        : 'all present; every partition has a leader',
    );
  } catch (error) {
    console.error(`${(error as Error).message}\n${kafkaFailureHint(error, config.kafka)}`);
    process.exitCode = 1;
  }
}

void main();
