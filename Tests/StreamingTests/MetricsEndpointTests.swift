import Foundation
import Logging
import Prometheus
import Telemetry
import Testing

@Suite("Metrics endpoint: address, routes, HTTP server", .timeLimit(.minutes(2)))
struct MetricsEndpointTests {
    @Test("HOST:PORT parses; anything else is refused with the reason")
    func addresses() throws {
        #expect(try MetricsAddress(parsing: "127.0.0.1:9464") == MetricsAddress(host: "127.0.0.1", port: 9464))
        #expect(try MetricsAddress(parsing: "localhost:0") == MetricsAddress(host: "localhost", port: 0))
        #expect(try MetricsAddress(parsing: "[::1]:9464") == MetricsAddress(host: "::1", port: 9464))
        #expect(MetricsAddress(host: "::1", port: 1).description == "[::1]:1")
        for bad in ["", "9464", ":9464", "host:", "host:65536", "host:-1", "host:９", "a:b:9464", "[::1]9464", "[::1", "ho st:1",
                    "host:99999999999999999999", "host:1.5"] {
            #expect(throws: MetricsAddress.Invalid.self, "\(bad)") { try MetricsAddress(parsing: bad) }
        }
    }

    @Test("routes: /metrics text with the endpoint's own gauges, /healthz, /readyz 200 or 503 with the reason, 404, 405")
    func routes() throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeCounter(descriptor: .init(metricName: "m2grl_test_things", unitName: "total", helpText: "test")).increment(by: Int64(3))
        let ready = ReadinessLatch(.notReady("lag 12 messages is above 10"))
        let scraped = ScrapeCount()
        let endpoint = MetricsEndpoint(registry: registry, beforeScrape: { scraped.add() }, readiness: { ready.readiness })

        let metrics = endpoint.reply(method: "GET", uri: "/metrics?x=1")
        #expect(metrics.status == 200)
        #expect(metrics.contentType == MetricsEndpoint.metricsContentType)
        let scrape = PrometheusScrape(String(decoding: metrics.body, as: UTF8.self))
        #expect(scrape.samples["m2grl_test_things_total"] == 3)
        #expect(scrape.types["m2grl_test_things_total"] == "counter")
        #expect(scrape.samples["m2grl_ready"] == 0)
        #if os(Linux)
        #expect((scrape.samples["m2grl_process_resident_memory_bytes"] ?? 0) > 1_000_000)
        #endif
        #expect(scraped.value == 1)

        let notReady = endpoint.reply(method: "GET", uri: "/readyz")
        #expect(notReady.status == 503)
        #expect(String(decoding: notReady.body, as: UTF8.self) == "not ready: lag 12 messages is above 10\n")
        ready.set(.ready("lag 0 messages"))
        #expect(endpoint.reply(method: "GET", uri: "/readyz").status == 200)
        #expect(PrometheusScrape(String(decoding: endpoint.reply(method: "GET", uri: "/metrics").body, as: UTF8.self)).samples["m2grl_ready"] == 1)
        #expect(endpoint.reply(method: "GET", uri: "/healthz").status == 200)
        #expect(endpoint.reply(method: "HEAD", uri: "/healthz").status == 200)
        #expect(endpoint.reply(method: "GET", uri: "/").status == 404)
        #expect(endpoint.reply(method: "POST", uri: "/metrics").status == 405)
        #expect(scraped.value == 2)
    }

    @Test("the server answers over HTTP on an ephemeral port, refuses a port in use, and stops on cancellation")
    func server() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeGauge(descriptor: .init(metricName: "m2grl_test_level", unitName: "", helpText: "test")).set(Double(7))
        let endpoint = MetricsEndpoint(registry: registry, readiness: { .ready("test") })
        let server = try await MetricsHTTPServer.start(address: MetricsAddress(host: "127.0.0.1", port: 0), endpoint: endpoint,
                                                       logger: Logger(label: "test"))
        let port = server.address.port
        #expect(port > 0)
        let client = HTTPTestClient(port: port)
        let metrics = try client.get("/metrics")
        #expect(metrics.status == 200)
        #expect(PrometheusScrape(metrics.body).samples["m2grl_test_level"] == 7)
        #expect(try client.get("/healthz").body == "ok\n")
        let ready = try client.get("/readyz")
        #expect(ready.status == 200 && ready.body == "ready: test\n")
        #expect(try client.get("/nothing").status == 404)

        do {
            _ = try await MetricsHTTPServer.start(address: MetricsAddress(host: "127.0.0.1", port: port), endpoint: endpoint,
                                                  logger: Logger(label: "test"))
            Issue.record("a second server bound a port in use")
        } catch {
            #expect("\(error)" == "cannot listen on 127.0.0.1:\(port): the port is in use (another process listens on it)")
        }
        await #expect(throws: MetricsHTTPServer.StartFailure.self) {
            try await MetricsHTTPServer.start(address: MetricsAddress(host: "no-such-host.invalid", port: 0), endpoint: endpoint,
                                              logger: Logger(label: "test"))
        }

        let running = Task { try await server.run() }
        try await Task.sleep(for: .milliseconds(100))
        running.cancel()
        try await withDeadline(10, "the server to stop") { try await running.value }
        #expect(throws: HTTPTestClient.Failure.self) { try client.get("/healthz") }
    }
}

private final class ScrapeCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
