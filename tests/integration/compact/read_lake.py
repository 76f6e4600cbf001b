"""An independent reader of the lake (pyarrow only): reads one topic with Hive partitioning, following the
exactly-once view documented in README ("Reading the lake from other engines"), and prints JSON counts.

    python read_lake.py <endpoint> <bucket> <topic>   (MinIO credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)
"""
import json
import os
import re
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.fs as pafs

endpoint, bucket, topic = sys.argv[1:4]
scheme, host = endpoint.split("://")
fs = pafs.S3FileSystem(
    endpoint_override=host,
    scheme=scheme,
    access_key=os.environ["AWS_ACCESS_KEY_ID"],
    secret_key=os.environ["AWS_SECRET_ACCESS_KEY"],
    region="us-east-1",
)
root = f"{bucket}/lake/{topic}"
DATA_FILE = re.compile(r"/dt=(\d{4}-\d{2}-\d{2})/(?:hour=\d{2}/)?[^/]+\+(\d+)\+(\d+)(\.compacted)?\.parquet$")


def states():
    """Every partition's state: _watermarks/<topic>+<partition>.json."""
    found = {}
    for info in fs.get_file_info(pafs.FileSelector(f"{root}/_watermarks", allow_not_found=True)):
        with fs.open_input_stream(info.path) as stream:
            state = json.loads(stream.read())
        found[state["partition"]] = state
    return found


def visible(paths, by_partition):
    """The view: small files below the watermark, not hidden, not covered by their day's compacted range; and
    the compacted file each day records. Returns (path, rows with offset below this count) pairs."""
    chosen = []
    for path in paths:
        match = DATA_FILE.search(path)
        state = match and by_partition.get(int(match.group(2)))
        if not state:
            continue
        day, offset, compacted = match.group(1), int(match.group(3)), match.group(4)
        entry = next((c for c in state.get("compacted", []) if c["day"] == day), None)
        if compacted:
            counts = entry is not None and entry["through"] == offset
        else:
            key = path[len(bucket) + 1 :]
            counts = (
                offset < state["nextOffset"]
                and key not in state.get("hidden", [])
                and (entry is None or offset >= entry["through"])
            )
        if counts:
            chosen.append(path)
    return chosen


def compaction(by_partition):
    return {p: s.get("compacted", []) for p, s in by_partition.items()}


# The states before and after the listing must agree on compaction, or a compaction recorded in between: list again.
for _ in range(5):
    before = states()
    paths = [i.path for i in fs.get_file_info(pafs.FileSelector(root, recursive=True)) if i.path.endswith(".parquet")]
    if compaction(states()) == compaction(before):
        break
else:
    sys.exit("the compaction state kept changing while listing")

files = visible(paths, before)
table = ds.dataset(files, filesystem=fs, format="parquet", partitioning="hive", partition_base_dir=root).to_table()
# Each row counts when its offset is below its partition's watermark (true of every row of a visible file).
partitions = pa.array(sorted(before), pa.int32())
watermarks = pa.array([before[p]["nextOffset"] for p in sorted(before)], pa.int64())
row_watermark = pc.take(watermarks, pc.index_in(table["partition"], value_set=partitions))
table = table.filter(pc.less(table["offset"], row_watermark))
pairs = set(zip(table["stationId"].to_pylist(), table["sequence"].to_pylist()))
print(
    json.dumps(
        {
            "files": len(files),
            "allParquetFiles": len(paths),
            "rows": table.num_rows,
            "distinctReadings": len(pairs),
            "days": sorted(set(str(d) for d in table["dt"].to_pylist())),
        }
    )
)
