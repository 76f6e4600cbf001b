import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { offsetsPartitionOf, probeGroups } from '../../../stack/provision';

describe('the group coordinator probe', () => {
  it("maps groups to offsets partitions as Kafka does (Java's String.hashCode, Kafka's Utils.abs)", () => {
    // Kafka 4.1.1's own Utils.abs(groupId.hashCode()) % 50, run in jshell on kafka-clients-4.1.1.jar.
    const kafka: [string, number][] = [
      ['test-group', 12], // hash 627841412
      ['stack-readiness-0', 20], // hash -957694520: a masked sign bit would give 28
      ['air-quality-pipeline-local-sink', 11], // hash -194412561
      ['infer', 32],
    ];
    assert.deepEqual(
      kafka.map(([groupId]) => [groupId, offsetsPartitionOf(groupId, 50)]),
      kafka,
    );
    const groups = probeGroups(50);
    assert.equal(new Set(groups.map((g) => offsetsPartitionOf(g, 50))).size, 50);
  });
});
