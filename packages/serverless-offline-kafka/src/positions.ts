/**
 * Starting positions. A group with committed offsets resumes from them (as Lambda does). For a new group,
 * LATEST and AT_TIMESTAMP are resolved once and committed for the group, so a restart before the first
 * record keeps the same position instead of jumping to a later "latest".
 */
import type { Admin } from 'kafkajs';
import type { MappingSettings } from './mapping';

interface PartitionOffset {
  partition: number;
  offset: string;
}

const NO_COMMIT = '-1';

/** Start offsets for the partitions that have no committed offset yet (pure). */
export function offsetsToPin(
  committed: readonly PartitionOffset[],
  starts: readonly PartitionOffset[],
): PartitionOffset[] {
  const uncommitted = new Set(committed.filter(({ offset }) => offset === NO_COMMIT).map(({ partition }) => partition));
  return starts
    .filter(({ partition }) => uncommitted.has(partition))
    .map(({ partition, offset }) => ({ partition, offset }));
}

export async function pinStartingOffsets(
  admin: Admin,
  mapping: Pick<MappingSettings, 'consumerGroupId' | 'topic' | 'startingPosition'>,
): Promise<void> {
  const { consumerGroupId: groupId, topic, startingPosition } = mapping;
  // The earliest offset moves with retention, so TRIM_HORIZON stays "from the beginning" rather than a pinned number.
  if (startingPosition.type === 'TRIM_HORIZON') return;
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const starts =
    startingPosition.type === 'LATEST'
      ? (await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => ({ partition, offset: high }))
      : await admin.fetchTopicOffsetsByTimestamp(topic, startingPosition.timestampMs);
  const partitions = offsetsToPin(committed?.partitions ?? [], starts);
  if (partitions.length > 0) await admin.setOffsets({ groupId, topic, partitions });
}
