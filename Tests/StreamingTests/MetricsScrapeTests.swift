import Foundation
import Kafka
import Logging
import Model
import Prometheus
import Streaming
import Telemetry
import Testing

extension StreamingIngestTests {
    @Suite("m2grl serve --metrics-address: scraped over HTTP", .serialized, .timeLimit(.minutes(5)))
    struct MetricsScrape {
        @Test("/metrics of a running serve says what its status line and version log say; /readyz turns 200 once caught up and published")
        func scrapeMatchesStatusLine() async throws {
            let dir = try TemporaryDirectory()
            let fixture = try ServeFixture(in: dir, extraYAML: "\nonline:\n  walks_per_round: 50\npublish:\n  interval_seconds: 0.3\n")
            let (topics, cluster) = (fixture.topics, fixture.cluster)
            let producer = try makeProducer(cluster)
            let events = syntheticEvents(count: 3_000, seed: 7)
            try await produce(events, topic: topics.events, producer: producer)
            for i in 0..<5 { try producer.enqueue(KafkaProducerRecord(topic: topics.events, value: Array("not json \(i)".utf8))) }
            try await producer.flush(timeout: .seconds(30))

            let serve = try ChildProcess(executable: try m2grlExecutable(), arguments: [
                "serve", "--pipeline", fixture.pipeline, "--brokers", cluster.bootstrapServers, "--state", dir.sub("state"),
                "--max-batch", "500", "--status-seconds", "0.3", "--metrics-address", "127.0.0.1:0", "--log-level", "info",
            ])
            try await serve.waitForOutput("metrics: http://127.0.0.1:", 60)
            let port = try #require(Self.port(in: serve.log))
            let client = HTTPTestClient(port: port)
            #expect(try client.get("/healthz").status == 200)

            // Ready once every event is applied (lag 0 <= 10,000) and the versions keep up.
            try await waitUntil(120, "/readyz 200 and every event in the status line; log: \(serve.log.suffix(1_500))") {
                guard let line = StatusLine.last(in: serve.log) else { return false }
                return try client.get("/readyz").status == 200 && line.applied == UInt64(events.count) && line.lag == 0
            }
            // The trainer goes idle once the walks are trained: scrape when the version log stands still.
            var scrape = PrometheusScrape("")
            var lastLogged: UInt64 = 0
            try await waitUntil(60, "a scrape between two identical version logs") {
                let before = Self.publishedVersions(in: serve.log)
                scrape = PrometheusScrape(try client.get("/metrics").body)
                lastLogged = Self.publishedVersions(in: serve.log).max() ?? 0
                return before.max() == lastLogged && lastLogged > 0
                    && scrape.samples["m2grl_publish_last_version"] == Double(lastLogged)
            }
            let status = try #require(StatusLine.last(in: serve.log))

            // Ingestion: counters equal the status line's totals; gauges its sizes.
            #expect(scrape.types["m2grl_ingest_events_total"] == "counter")
            #expect(scrape.samples[#"m2grl_ingest_events_total{outcome="applied"}"#] == Double(status.applied))
            #expect(scrape.samples[#"m2grl_ingest_events_total{outcome="dead_lettered"}"#] == Double(status.dead))
            #expect(status.dead == 5)
            #expect(scrape.samples[#"m2grl_ingest_events_total{outcome="late"}"#] == Double(status.late))
            for (view, size) in status.views {
                #expect(scrape.samples["m2grl_graph_nodes{view=\"\(view)\"}"] == Double(size.nodes), "\(view)")
                #expect(scrape.samples["m2grl_graph_edges{view=\"\(view)\"}"] == Double(size.edges), "\(view)")
            }
            #expect(scrape.types["m2grl_ingest_lag_messages"] == "gauge")
            let lag = scrape.series("m2grl_ingest_lag_messages")
            #expect(lag.count == 2 && lag.values.allSatisfy { $0 == 0 }, "\(lag)")
            #expect(scrape.types["m2grl_ingest_batch_duration_seconds"] == "histogram")
            #expect((scrape.samples["m2grl_ingest_batch_duration_seconds_count"] ?? 0) >= 1)

            // Training and publication: what the version log says.
            #expect(scrape.types["m2grl_train_rounds_total"] == "counter")
            #expect((scrape.samples["m2grl_train_rounds_total"] ?? 0) >= 1)
            #expect((scrape.samples["m2grl_train_tokens_total"] ?? 0) > 0)
            #expect((scrape.samples["m2grl_train_tokens_per_second"] ?? 0) > 0)
            let weights = scrape.series("m2grl_train_task_weight")
            #expect(!weights.isEmpty && weights.values.allSatisfy { $0 > 0 }, "\(weights)")
            let versions = scrape.series("m2grl_publish_versions_total").values.reduce(0, +)
            #expect(versions == Double(Self.publishedVersions(in: serve.log).count))
            #expect(scrape.samples["m2grl_publish_last_version"] == Double(lastLogged))
            #expect(scrape.types["m2grl_publish_freshness_seconds"] == "histogram")
            #expect((scrape.samples["m2grl_publish_last_version_age_seconds"] ?? -1) >= 0)

            // RocksDB, process, readiness.
            #expect(scrape.types["m2grl_rocksdb_sst_files_bytes"] == "gauge")
            #expect(scrape.samples["m2grl_rocksdb_write_stopped"] == 0)
            #expect((scrape.samples["m2grl_process_resident_memory_bytes"] ?? 0) > 1_000_000)
            #expect(scrape.samples["m2grl_ready"] == 1)

            serve.kill(SIGTERM)
            try await serve.waitForExit(60, "serve after SIGTERM")
            #expect(serve.process.terminationStatus == 0, "\(serve.log.suffix(1_000))")
            #expect(throws: HTTPTestClient.Failure.self) { try client.get("/healthz") }
        }

        @Test("an invalid --metrics-address fails at start naming the flag (exit 64); a port in use is a clear error (exit 1)")
        func badAddresses() async throws {
            let invalid = try await m2grl(["broker", "--metrics-address", "localhost"])
            #expect(invalid.status == 64)
            #expect(invalid.output.contains("--metrics-address: 'localhost' is not HOST:PORT"), "\(invalid.output)")

            let taken = try await MetricsHTTPServer.start(
                address: MetricsAddress(host: "127.0.0.1", port: 0),
                endpoint: MetricsEndpoint(registry: .init(), readiness: { .ready("test") }), logger: quietLogger)
            defer { Task { await taken.close() } }
            let inUse = try await m2grl(["broker", "--metrics-address", "127.0.0.1:\(taken.address.port)"])
            #expect(inUse.status == 1)
            #expect(inUse.output.contains("--metrics-address: cannot listen on 127.0.0.1:\(taken.address.port): the port is in use"), "\(inUse.output)")
        }

        static func port(in log: String) -> Int? {
            guard let range = log.range(of: "metrics: http://127.0.0.1:") else { return nil }
            return Int(log[range.upperBound...].prefix { $0.isNumber })
        }

        /// The numbers of the `published version N` log lines.
        static func publishedVersions(in log: String) -> [UInt64] {
            log.split(separator: "\n").compactMap { line in
                guard let range = line.range(of: "published version ") else { return nil }
                let digits = line[range.upperBound...].prefix { $0.isNumber }
                guard line[digits.endIndex...].hasPrefix(" (") else { return nil }
                return UInt64(digits)
            }
        }
    }
}

/// The numbers of serve's status line: `ingest: R ev/s lag=L applied=A dead=D late=T ... | view Nn/Ee/Ww ...`.
struct StatusLine {
    var lag: Int64?
    var applied: UInt64
    var dead: UInt64
    var late: UInt64
    var views: [String: (nodes: Int, edges: Int)]

    static func last(in log: String) -> StatusLine? {
        log.split(separator: "\n").reversed().lazy.compactMap { StatusLine(String($0)) }.first
    }

    init?(_ line: String) {
        guard line.contains("ingest: "), line.contains(" applied="), let bar = line.range(of: " | ") else { return nil }
        func number(_ key: String) -> String? {
            guard let r = line.range(of: " \(key)=") else { return nil }
            return String(line[r.upperBound...].prefix { $0.isNumber })
        }
        guard let applied = number("applied").flatMap(UInt64.init), let dead = number("dead").flatMap(UInt64.init),
              let late = number("late").flatMap(UInt64.init) else { return nil }
        self.applied = applied
        self.dead = dead
        self.late = late
        lag = number("lag").flatMap(Int64.init)
        var views: [String: (nodes: Int, edges: Int)] = [:]
        let parts = line[bar.upperBound...].split(separator: " ")
        for pair in stride(from: 0, to: parts.count - 1, by: 2) {
            let sizes = parts[pair + 1].split(separator: "/")
            guard sizes.count == 3, let n = Int(sizes[0].dropLast()), let e = Int(sizes[1].dropLast()) else { continue }
            views[String(parts[pair])] = (n, e)
        }
        self.views = views
    }
}
