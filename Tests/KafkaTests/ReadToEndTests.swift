import Foundation
import Testing
@testable import Kafka

/// `KafkaConsumer.readToEnd` and `endOffsets`: the end of a partition is where the fetch
/// finds it (end-of-partition events), never the separately queried high watermark.
@Suite("Reading partitions to their end", .serialized, .timeLimit(.minutes(2)))
struct ReadToEndTests {
    /// A consumer as the readers make it (`readingToEnd`), or one without end-of-partition events.
    private func reader(_ cluster: EmbeddedKafkaCluster, eof: Bool = true) throws -> KafkaConsumer {
        var config = KafkaConfiguration.consumer(bootstrapServers: cluster.bootstrapServers, groupID: uniqueName("reader"))
            .readingToEnd()
        if !eof { config["enable.partition.eof"] = "false" }
        return try KafkaConsumer(configuration: config, logger: testLogger)
    }

    /// A new embedded cluster with one topic of `partitions` partitions.
    private func clusterWithTopic(partitions: Int) throws -> (EmbeddedKafkaCluster, String) {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: testLogger)
        let topic = uniqueName("t")
        try cluster.createTopic(topic, partitions: partitions)
        return (cluster, topic)
    }

    private func fill(_ cluster: EmbeddedKafkaCluster, _ topic: String, counts: [Int32: Int]) async throws {
        let producer = try makeProducer(cluster)
        for (partition, count) in counts {
            for i in 0..<count {
                try producer.enqueue(KafkaProducerRecord(topic: topic, partition: partition, key: nil, value: bytes("\(partition)-\(i)")))
            }
        }
        try await producer.flush()
    }

    @Test("a broker whose ListOffsets under-reports the end: readToEnd and endOffsets still find the real end, also of an empty partition")
    func underReportedWatermark() async throws {
        let (cluster, topic) = try clusterWithTopic(partitions: 3)
        let counts: [Int32: Int] = [0: 200, 1: 50]
        try await fill(cluster, topic, counts: counts)
        cluster.underReportHighWatermarks(by: 30)
        let tps = (0..<3).map { TopicPartition(topic, Int32($0)) }

        let consumer = try reader(cluster)
        // The injected fault is in force: the broker's answer lags (never below the low mark).
        #expect(try await consumer.watermarks(tps[0]).high == 170)
        #expect(try await consumer.watermarks(tps[1]).high == 20)
        #expect(try await consumer.watermarks(tps[2]).high == 0)

        var delivered: [TopicPartition: [Int64]] = [:]
        let ends = try await consumer.readToEnd(
            from: Dictionary(uniqueKeysWithValues: tps.map { ($0, KafkaOffset.beginning) }), timeout: .seconds(30)
        ) { delivered[$0.topicPartition, default: []].append($0.offset) }
        #expect(ends == [tps[0]: 200, tps[1]: 50, tps[2]: 0])
        #expect(delivered[tps[0]] == Array(0..<200))
        #expect(delivered[tps[1]] == Array(0..<50))
        #expect(delivered[tps[2]] == nil)

        #expect(try await consumer.endOffsets(tps, timeout: .seconds(30)) == ends)
        await consumer.close()
    }

    @Test("records appended during the read: the end is at least the end when the read started, and exactly the offsets below it are delivered")
    func writerStillAppending() async throws {
        let (cluster, topic) = try clusterWithTopic(partitions: 1)
        let tp = TopicPartition(topic, 0)
        try await fill(cluster, topic, counts: [0: 500])
        let writer = try makeProducer(cluster)
        let consumer = try reader(cluster)

        var delivered: [Int64] = []
        var appended = false
        let ends = try await consumer.readToEnd(from: [tp: KafkaOffset.beginning], timeout: .seconds(30)) { message in
            delivered.append(message.offset)
            if !appended {
                appended = true
                for i in 0..<300 { try writer.enqueue(KafkaProducerRecord(topic: topic, partition: 0, key: nil, value: bytes("late-\(i)"))) }
            }
        }
        let end = try #require(ends[tp])
        #expect(end >= 500 && end <= 800)
        #expect(delivered == Array(0..<end), "every offset below the end once, in order, none past it")

        // The next read continues exactly there: nothing between the two reads is lost.
        try await writer.flush()
        var rest: [Int64] = []
        let next = try await consumer.readToEnd(from: [tp: end], timeout: .seconds(30)) { rest.append($0.offset) }
        #expect(next[tp] == 800)
        #expect(rest == Array(end..<800))
        await consumer.close()
    }

    @Test("a consumer without end-of-partition events is refused at once instead of reading until the timeout")
    func needsPartitionEOF() async throws {
        let (cluster, topic) = try clusterWithTopic(partitions: 1)
        let consumer = try reader(cluster, eof: false)
        let started = ContinuousClock.now
        do {
            _ = try await consumer.readToEnd(from: [TopicPartition(topic, 0): KafkaOffset.beginning], timeout: .seconds(60)) { _ in }
            Issue.record("the read should be refused")
        } catch let error as KafkaError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains("enable.partition.eof"))
        }
        #expect(ContinuousClock.now - started < .seconds(30))
        await consumer.close()
    }

    @Test("a partition whose end is never reached (its broker is down) times out naming it")
    func timesOutNamingThePartition() async throws {
        let (cluster, topic) = try clusterWithTopic(partitions: 2)
        try await fill(cluster, topic, counts: [0: 10, 1: 10])
        let consumer = try reader(cluster)
        try cluster.brokerDown(1)
        do {
            _ = try await consumer.readToEnd(
                from: [TopicPartition(topic, 0): KafkaOffset.beginning, TopicPartition(topic, 1): KafkaOffset.beginning],
                timeout: .seconds(2)) { _ in }
            Issue.record("the read should time out")
        } catch let error as KafkaError {
            #expect(error.code == .timedOut)
            #expect(error.message.contains("\(topic)[0]") && error.message.contains("\(topic)[1]"), "\(error)")
        }
        try cluster.brokerUp(1)
        await consumer.close()
    }
}
