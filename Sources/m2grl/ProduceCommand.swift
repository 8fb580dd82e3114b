import ArgumentParser
import Foundation
import Kafka
import Logging
import Model
import ModelFiles
import Streaming

struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Load an events file into a Kafka topic, keyed by user (one user's events stay in order).",
        discussion: """
            JSON Lines files are sent line by line, unchanged (lines that are not valid events are sent too, without a key, so the ingester dead-letters them). CSV/TSV files are converted to one JSON object per event with the pipeline's field names. Keys are hashed with murmur2 like Java clients.

            Examples:
              m2grl produce --brokers localhost:9092 --topic events --pipeline pipelines/synthetic.yaml --events events.jsonl
              m2grl produce --brokers localhost:9092 --topic events --pipeline p.yaml --events events.jsonl --rate 10000
              m2grl produce --brokers localhost:9092 --pipeline p.yaml --events events.jsonl --time-order --split-fraction 0.9
            """
    )

    @OptionGroup var kafka: KafkaOptions
    @OptionGroup var pipelineOptions: PipelineOptions

    @Option(name: .long, help: "Topic to produce to (default: the pipeline's kafka.topic).")
    var topic: String?

    @Option(name: .long, help: "Events file (format from the pipeline).")
    var events: String

    @Option(name: .long, help: "Messages per second (default: as fast as possible).")
    var rate: Double?

    @Flag(name: .long, help: "Send the events sorted by event time (stable), not in file order.")
    var timeOrder = false

    @Flag(name: .long, help: "Replace each event's time by the wall clock when it is sent (live streams for freshness benchmarks).")
    var realtime = false

    @OptionGroup(title: "Training part only (for evaluation: stream the events before the split, evaluate after it)")
    var split: SplitOptions

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let rate { try requireRange(rate, CommandLineLimits.messagesPerSecond, option: "--rate") }
    }

    func run() async throws {
        let logger = try global.bootstrapLogging()
        let (loaded, _) = try pipelineOptions.load()
        guard let config = loaded else { throw ValidationError("--pipeline: missing") }
        let topic = self.topic ?? StreamTopics(config: config).events
        guard FileManager.default.fileExists(atPath: events) else { throw ValidationError("--events: no such file '\(events)'") }
        let kafkaConfig = try kafka.configuration()
        let producer = try KafkaProducer(
            configuration: .producer(bootstrapServers: kafkaConfig.bootstrapServers, lingerMs: 20, properties: kafkaConfig.properties),
            logger: logger)
        let decoder = EventDecoder(mapping: EventFieldMapping(config: config))
        let pacer = Pacer(rate: rate)
        let start = ContinuousClock.now
        var sent = 0, unkeyed = 0

        let cut = try split.cut()
        func send(_ event: Event) throws {
            var event = event
            if realtime { event.timestampMillis = Int64(Date().timeIntervalSince1970 * 1000) }
            // The message timestamp is the event time, so a broker's offsets-for-times
            // (replay --from time:) finds events by their time.
            try producer.enqueue(KafkaProducerRecord(topic: topic, key: Array(event.user.utf8),
                                                     value: EventJSON.encode(event, config: config), timestampMs: event.timestampMillis))
            sent += 1
            pacer.wait(sent)
        }
        if timeOrder || cut != nil {
            // Whole file in memory: sorted by time and/or cut at the split like `m2grl eval`.
            let (loaded, report) = try EventFileLoader(config: config, logger: logger).load(path: events)
            if report.malformedCount > 0 { printErr(report.description) }
            var selected = loaded
            if let cut {
                let t = TemporalSplit(events: loaded, cut: cut, sessions: config.sessions)
                selected = t.trainingEvents
                print("split at \(t.cutMillis / 1000) s: producing the \(selected.count) events before it (of \(loaded.count))")
            }
            if timeOrder {
                selected = selected.enumerated().sorted { ($0.element.timestampMillis, $0.offset) < ($1.element.timestampMillis, $1.offset) }.map(\.element)
            }
            for event in selected { try send(event) }
        } else if config.events.format == .jsonl && !realtime {
            let nowMillis = WallClock.nowMillis()
            try forEachLine(path: events) { line in
                guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) else { return }
                var key: [UInt8]? = nil
                var time: Int64? = nil
                if case .success(let event) = decoder.decodeJSON(line, nowMillis: nowMillis) {
                    key = Array(event.user.utf8)
                    time = event.timestampMillis
                } else {
                    unkeyed += 1
                }
                try producer.enqueue(KafkaProducerRecord(topic: topic, key: key, value: line, timestampMs: time))
                sent += 1
                pacer.wait(sent)
            }
        } else {
            let loader = EventFileLoader(config: config, logger: logger)
            let report = try loader.forEachEvent(path: events) { event in try send(event) }
            if report.malformedCount > 0 { printErr(report.description) }
        }
        try await producer.flush(timeout: .seconds(120))
        let seconds = (ContinuousClock.now - start).seconds
        print("produced \(sent) messages to \(topic) in \(String(format: "%.1f", seconds)) s (\(formatRate(Double(sent) / max(seconds, 1e-9)))/s)" + (unkeyed > 0 ? "; \(unkeyed) lines were not valid events and were sent without a key" : ""))
    }
}

/// Sleeps to hold a message rate.
struct Pacer {
    let rate: Double?
    let start = ContinuousClock.now

    func wait(_ sent: Int) {
        guard let rate, sent % 100 == 0 else { return }
        let due = start + .seconds(Double(sent) / rate)
        let now = ContinuousClock.now
        if due > now { Thread.sleep(forTimeInterval: (due - now).seconds) }
    }
}

/// Reads a file line by line (without the newline), in 1 MiB chunks.
func forEachLine(path: String, _ body: ([UInt8]) throws -> Void) throws {
    guard let handle = FileHandle(forReadingAtPath: path) else { throw ValidationError("cannot open '\(path)'") }
    defer { try? handle.close() }
    var pending: [UInt8] = []
    while true {
        let chunk = handle.readData(ofLength: 1 << 20)
        if chunk.isEmpty { break }
        var start = 0
        let bytes = [UInt8](chunk)
        for i in 0..<bytes.count where bytes[i] == 0x0A {
            if pending.isEmpty {
                try body(Array(bytes[start..<i]))
            } else {
                pending.append(contentsOf: bytes[start..<i])
                try body(pending)
                pending.removeAll(keepingCapacity: true)
            }
            start = i + 1
        }
        pending.append(contentsOf: bytes[start...])
    }
    if !pending.isEmpty { try body(pending) }
}

/// One event as a JSON object with the pipeline's field names.
enum EventJSON {
    static func encode(_ event: Event, config: PipelineConfig) -> [UInt8] {
        var object: [String: Any] = [
            config.events.user: event.user,
            config.events.item: event.item,
            config.events.time: config.events.timeUnit == .seconds ? Double(event.timestampMillis) / 1000 : Double(event.timestampMillis),
        ]
        if let a = config.events.action, let v = event.action { object[a] = v }
        for view in config.views {
            guard let values = event.attributes[view.name] else { continue }
            object[view.field] = values.count == 1 ? values[0] : values  // an array is read back as several values
        }
        return (try? [UInt8](JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))) ?? []
    }
}
