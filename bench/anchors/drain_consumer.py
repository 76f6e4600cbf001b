"""
The prototype's consumer design, as the anchor of the drain benchmark (bench/drain.ts runs it; benchmark-only):
confluent-kafka consumer -> pyarrow table -> Parquet (ZSTD) -> MinIO, one object per batch -> commit.

  python3 drain_consumer.py <bootstrap> <topic> <group> <batch> <expected records> <bucket> <prefix> <measure ids, comma-separated>

Prints one JSON line: records, batches, bytes, and seconds from the first record received to the last commit.
"""
import io
import json
import os
import sys
import time
from datetime import datetime

import pyarrow as pa
import pyarrow.parquet as pq
from confluent_kafka import Consumer
from minio import Minio

def epoch_ms(iso):
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def batch_table(messages, measures):
    readings = [json.loads(m.value()) for m in messages]
    ts = pa.timestamp("ms", tz="UTC")
    columns = {
        "eventId": pa.array([r["eventId"] for r in readings], pa.string()),
        "stationId": pa.array([r["stationId"] for r in readings], pa.string()),
        "sequence": pa.array([r["sequence"] for r in readings], pa.int64()),
        "observedAt": pa.array([epoch_ms(r["observedAt"]) for r in readings], pa.int64()).cast(ts),
        "sourceTime": pa.array([epoch_ms(r["sourceTime"]) for r in readings], pa.int64()).cast(ts),
    }
    for measure in measures:
        columns[measure] = pa.array([r["readings"].get(measure) for r in readings], pa.float64())
    columns["imputed"] = pa.array([r["quality"]["imputed"] for r in readings], pa.list_(pa.string()))
    columns["clipped"] = pa.array([r["quality"]["clipped"] for r in readings], pa.list_(pa.string()))
    columns["partition"] = pa.array([m.partition() for m in messages], pa.int32())
    columns["offset"] = pa.array([m.offset() for m in messages], pa.int64())
    return pa.table(columns)


def main():
    bootstrap, topic, group, batch, expected, bucket, prefix, measures = sys.argv[1:9]
    measures = measures.split(",")
    batch, expected = int(batch), int(expected)
    endpoint = os.environ.get("S3_ENDPOINT", "http://localhost:9000")
    store = Minio(endpoint.split("://", 1)[1], access_key=os.environ.get("S3_ACCESS_KEY_ID", "minioadmin"),
                  secret_key=os.environ.get("S3_SECRET_ACCESS_KEY", "minioadmin"), secure=endpoint.startswith("https"))
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    records = batches = size = 0
    first = None
    while records < expected:
        messages = [m for m in consumer.consume(num_messages=batch, timeout=1.0) if m.error() is None]
        if not messages:
            continue
        first = first or time.perf_counter()
        sink = io.BytesIO()
        pq.write_table(batch_table(messages, measures), sink, compression="zstd")
        body = sink.getvalue()
        key = f"{prefix}batch-{batches:05d}-{messages[0].partition()}-{messages[0].offset()}.parquet"
        store.put_object(bucket, key, io.BytesIO(body), len(body), content_type="application/vnd.apache.parquet")
        consumer.commit(asynchronous=False)
        records += len(messages)
        batches += 1
        size += len(body)
    seconds = time.perf_counter() - first
    consumer.close()
    print(json.dumps({"records": records, "batches": batches, "bytes": size, "seconds": seconds}))


if __name__ == "__main__":
    main()
