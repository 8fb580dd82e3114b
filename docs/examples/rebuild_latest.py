#!/usr/bin/env python3
"""Rebuild the newest usable embedding version from Kafka (see docs/consuming.md).

Needs: pip install confluent-kafka protobuf
and embeddings_pb2.py generated at run time:
    protoc --proto_path=docs --python_out=$PB2_DIR docs/embeddings.proto

Usage: rebuild_latest.py --brokers HOST:PORT --topic T [--versions-topic VT]
                         [--pb2-dir DIR] [--out DIR]
Prints the version and row counts; with --out writes <view>.tsv (name TAB values).
Manifests failing validation, untrusted records and versions that cannot be rebuilt are
skipped with a message on stderr (rules: docs/formats.md).
"""
import argparse, math, os, sys, time, uuid
from collections import defaultdict

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, TopicPartition
from google.protobuf import json_format


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def read_topic(consumer, topic, timeout=300):
    """Every message of `topic` from the beginning to its end, where the fetch finds it: the
    first end-of-partition event of each partition (needs enable.partition.eof). Never the
    separately queried high watermark, which some brokers under-report (docs/consuming.md)."""
    meta = consumer.list_topics(topic, timeout=10).topics.get(topic)
    if meta is None or meta.error is not None:
        return []
    reading = set(meta.partitions)
    consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in reading])
    out, deadline = [], time.monotonic() + timeout
    while reading:
        if time.monotonic() > deadline:
            sys.exit(f"{topic}: partitions {sorted(reading)} not read to their end within {timeout} s")
        msg = consumer.poll(1.0)
        if msg is None or msg.partition() not in reading:
            continue  # nothing yet, or a record past a partition's end
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                reading.discard(msg.partition())
            continue
        out.append(msg)
    return out


def headers(msg):
    return {k: (v or b"").decode(errors="replace") for k, v in (msg.headers() or [])}


def decode(pb_type, value, fmt):
    if fmt == "json" or (fmt is None and value[:1] == b"{"):
        return json_format.Parse(value, pb_type())
    m = pb_type()
    m.ParseFromString(value)
    return m


def invalid(m, pb):
    """Why manifest `m` cannot come from a publisher; None when it can."""
    snapshot = m.kind == pb.VERSION_KIND_SNAPSHOT
    if m.kind not in (pb.VERSION_KIND_SNAPSHOT, pb.VERSION_KIND_DELTA):
        return "unknown kind"
    if not 1 <= m.version <= 2**64 - 2:
        return f"version {m.version}"
    if m.base_snapshot_version != m.version if snapshot else not 1 <= m.base_snapshot_version < m.version:
        return f"base {m.base_snapshot_version}"
    if not 1 <= m.dim <= 65536 or not 1 <= m.partition_count < 2**31:
        return f"dim {m.dim}, {m.partition_count} partitions"
    names = [v.view for v in m.views]
    if len(set(names)) != len(names) or any(not n or "\0" in n for n in names):
        return "view names"
    for v in m.views:
        if v.total_rows > 2**32 or v.records > v.total_rows or (snapshot and v.records != v.total_rows):
            return f"view {v.view}: {v.records} records, {v.total_rows} rows"
    parts = [p.partition for p in m.partitions if p.records]
    if len(set(parts)) != len(parts) or any(p >= m.partition_count for p in parts):
        return "partition numbers"
    if not m.record_count == sum(p.records for p in m.partitions) \
            == sum(v.records for v in m.views) + m.alignment_records:
        return "record counts"
    if snapshot and m.record_count == 0:
        return "a snapshot without records"
    if not all(math.isfinite(s) for s in m.task_log_variances.values()):
        return "log-variances"
    return None


def untrusted(r, key, va, dim):
    """Why decoded record `r` (None: undecodable) cannot be trusted; None when it can."""
    if r is None or (r.version, r.attempt) != va:
        return "undecodable, or value and headers differ"
    kind = r.WhichOneof("payload")
    if kind == "node" and key.split(b"\0") == [r.node.view.encode(), str(r.node.id).encode()]:
        return None if len(r.node.values) == dim else f"{len(r.node.values)} values, dim {dim}"
    a = r.alignment
    if kind == "alignment" and key.split(b"\0") == [b"@alignment", a.source_view.encode(), a.target_view.encode()]:
        return None if (a.rows, a.cols, len(a.values)) == (dim, dim, dim * dim) else "alignment size"
    return "key and value differ"


def rebuild(m, records, pb):
    """The tables of complete version `m`; raises ValueError when its records cannot rebuild it."""
    totals = {v.view: v.total_rows for v in m.views}
    tables, alignments, done = defaultdict(dict), 0, set()
    chain = [r for r in records if r[0][1] == m.attempt and m.base_snapshot_version <= r[0][0] <= m.version]
    for va, part, off, key, value, fmt in sorted(chain, key=lambda r: (r[0][0], r[2]), reverse=True):
        view, _, rest = key.partition(b"\0")
        row = view.decode(errors="replace") in totals and rest.isdigit() and int(rest) < totals[view.decode()]
        if key in done or not (row or view == b"@alignment"):
            continue  # a newer record of this key was taken, or a row beyond total_rows
        try:
            r = decode(pb.EmbeddingRecord, value, fmt)
        except Exception:
            r = None
        reason = untrusted(r, key, va, m.dim)
        if reason and va[0] == m.version:
            raise ValueError(f"record at partition {part} offset {off}: {reason}")
        if reason:
            print(f"skipping the record at partition {part} offset {off}: {reason}", file=sys.stderr)
            continue
        done.add(key)
        if r.WhichOneof("payload") == "node":
            tables[r.node.view][r.node.id] = (r.node.name, list(r.node.values))
        else:
            alignments += 1
    for view, total in totals.items():
        if len(tables[view]) != total:
            raise ValueError(f"view {view} lacks {total - len(tables[view])} rows")
    return {view: [tables[view][i] for i in range(total)] for view, total in totals.items()}, alignments


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brokers", required=True)
    ap.add_argument("--topic", required=True)
    ap.add_argument("--versions-topic")
    ap.add_argument("--pb2-dir", default=".")
    ap.add_argument("--out")
    args = ap.parse_args()
    sys.path.insert(0, args.pb2_dir)
    import embeddings_pb2 as pb

    consumer = Consumer({"bootstrap.servers": args.brokers, "group.id": "rebuild-" + uuid.uuid4().hex,
                         "enable.auto.commit": False, "enable.partition.eof": True})
    # The versions topic first: every manifest read then has its records below the
    # embeddings topic's end, read afterwards.
    manifests = {}  # (version, attempt) -> (arrival, manifest)
    for arrival, msg in enumerate(read_topic(consumer, args.versions_topic or args.topic + ".versions")):
        try:
            m = decode(pb.VersionManifest, msg.value() or b"", headers(msg).get("m2grl.format"))
            reason = invalid(m, pb)
        except Exception as e:
            reason = f"undecodable: {e}"
        if reason:
            print(f"skipping the manifest at offset {msg.offset()}: {reason}", file=sys.stderr)
        else:
            manifests[(m.version, m.attempt)] = (arrival, m)
    counts = defaultdict(lambda: defaultdict(int))  # (version, attempt) -> partition -> records
    sums = defaultdict(int)                         # (version, attempt) -> checksum
    records = []
    for msg in read_topic(consumer, args.topic):
        h = headers(msg)
        if not (h.get("m2grl.version", "").isdigit() and h.get("m2grl.attempt", "").isdigit()):
            continue
        va = (int(h["m2grl.version"]), int(h["m2grl.attempt"]))
        key, value = msg.key() or b"", msg.value() or b""
        counts[va][msg.partition()] += 1
        sums[va] = (sums[va] + fnv1a64(key + value)) & 0xFFFFFFFFFFFFFFFF
        records.append((va, msg.partition(), msg.offset(), key, value, h.get("m2grl.format")))
    consumer.close()

    def complete(va):
        m = manifests[va][1]
        expected = {p.partition: p.records for p in m.partitions if p.records}
        if dict(counts[va]) != expected or sums[va] != m.checksum:
            return False
        chain = [manifests.get((u, va[1]), (0, None))[1] for u in range(m.base_snapshot_version, m.version)]
        return all(c is not None and c.dim == m.dim for c in chain) and \
            (not chain or chain[0].kind == pb.VERSION_KIND_SNAPSHOT)

    # The newest usable version: highest number first, then the manifest that came last.
    for va in sorted(manifests, key=lambda va: (va[0], manifests[va][0]), reverse=True):
        if not complete(va):
            print(f"passing over version {va[0]} (attempt {va[1]:x}): incomplete", file=sys.stderr)
            continue
        try:
            tables, alignments = rebuild(manifests[va][1], records, pb)
            break
        except ValueError as e:
            print(f"passing over version {va[0]} (attempt {va[1]:x}): {e}", file=sys.stderr)
    else:
        sys.exit("no version can be rebuilt")
    (version, attempt), m = va, manifests[va][1]
    print(f"version {version} (attempt {attempt:x}, base {m.base_snapshot_version}): "
          + ", ".join(f"{v} {len(r)}" for v, r in tables.items()) + f" rows, {alignments} alignments")
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        for view, rows in tables.items():
            with open(os.path.join(args.out, view + ".tsv"), "w") as f:
                for name, values in rows:
                    f.write(name + "\t" + " ".join(repr(x) for x in values) + "\n")


if __name__ == "__main__":
    main()
