#!/usr/bin/env python3
"""Rebuild the newest complete embedding version from Kafka (see docs/consuming.md).

Needs: pip install confluent-kafka protobuf
and embeddings_pb2.py generated at run time:
    protoc --proto_path=docs --python_out=$PB2_DIR docs/embeddings.proto

Usage: rebuild_latest.py --brokers HOST:PORT --topic T [--versions-topic VT]
                         [--pb2-dir DIR] [--out DIR]
Prints the version and row counts; with --out writes <view>.tsv (name TAB values).
"""
import argparse, json, os, sys, uuid
from collections import defaultdict

from confluent_kafka import Consumer, TopicPartition
from google.protobuf import json_format


def fnv1a64(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def read_topic(consumer, topic):
    """Every message of `topic` from the beginning up to its current end."""
    meta = consumer.list_topics(topic, timeout=10).topics.get(topic)
    if meta is None or meta.error is not None:
        return []
    ends, assign = {}, []
    for p in meta.partitions:
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
        if high > low:
            ends[p] = high
            assign.append(TopicPartition(topic, p, low))
    consumer.assign(assign)
    out = []
    while ends:
        msg = consumer.poll(1.0)
        if msg is None:
            continue
        if msg.error():
            if msg.error().code() == -191:  # _PARTITION_EOF
                ends.pop(msg.partition(), None)
            continue
        if msg.partition() in ends and msg.offset() < ends[msg.partition()]:
            out.append(msg)
            if msg.offset() + 1 >= ends[msg.partition()]:
                del ends[msg.partition()]
    return out


def headers(msg):
    return {k: (v or b"").decode() for k, v in (msg.headers() or [])}


def decode(pb_type, value, fmt):
    if fmt == "json" or (fmt is None and value[:1] == b"{"):
        return json_format.Parse(value, pb_type())
    m = pb_type()
    m.ParseFromString(value)
    return m


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
    manifests = {}  # (version, attempt) -> manifest
    for msg in read_topic(consumer, args.versions_topic or args.topic + ".versions"):
        m = decode(pb.VersionManifest, msg.value(), headers(msg).get("m2grl.format"))
        manifests[(m.version, m.attempt)] = m
    counts = defaultdict(lambda: defaultdict(int))  # (version, attempt) -> partition -> records
    sums = defaultdict(int)                         # (version, attempt) -> checksum
    records = []
    for msg in read_topic(consumer, args.topic):
        h = headers(msg)
        if "m2grl.version" not in h or "m2grl.attempt" not in h:
            continue
        va = (int(h["m2grl.version"]), int(h["m2grl.attempt"]))
        counts[va][msg.partition()] += 1
        sums[va] = (sums[va] + fnv1a64(msg.key() + msg.value())) & 0xFFFFFFFFFFFFFFFF
        records.append((va, msg.partition(), msg.offset(), msg.key(), msg.value(), h.get("m2grl.format")))
    consumer.close()

    def complete(va):
        m = manifests[va]
        expected = {p.partition: p.records for p in m.partitions if p.records}
        if dict(counts[va]) != expected or sums[va] != m.checksum:
            return False
        return all((u, va[1]) in manifests for u in range(m.base_snapshot_version, m.version))

    done = sorted((va for va in manifests if complete(va)), key=lambda va: va[0])
    if not done:
        sys.exit("no complete version")
    version, attempt = done[-1]
    m = manifests[(version, attempt)]
    # Per key, the newest record of this attempt between the base snapshot and the version.
    newest = {}
    for (v, a), part, off, key, value, fmt in records:
        if a == attempt and m.base_snapshot_version <= v <= version:
            if key not in newest or (v, off) > newest[key][0]:
                newest[key] = ((v, off), value, fmt)
    tables = {vc.view: [None] * vc.total_rows for vc in m.views}
    alignments = 0
    for _, value, fmt in newest.values():
        r = decode(pb.EmbeddingRecord, value, fmt)
        if r.WhichOneof("payload") == "node":
            n = r.node
            if n.view in tables and n.id < len(tables[n.view]):
                tables[n.view][n.id] = (n.name, list(n.values))
        else:
            alignments += 1
    for view, rows in tables.items():
        missing = [i for i, row in enumerate(rows) if row is None]
        if missing:
            sys.exit(f"version {version}: view {view} lacks {len(missing)} rows (first {missing[0]})")
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
