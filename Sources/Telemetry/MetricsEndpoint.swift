import Prometheus

/// What the HTTP server answers, independent of the transport:
///
/// - `GET /metrics`: the registry in the Prometheus text format (version 0.0.4), after
///   `beforeScrape` has refreshed the caller's sampled gauges and the endpoint its own:
///   `m2grl_process_resident_memory_bytes` and `m2grl_ready` (1 when `/readyz` would say 200).
/// - `GET /healthz`: 200 `ok` while the process serves requests at all (liveness).
/// - `GET /readyz`: 200 with the reason when `readiness` says ready, else 503 with the reason.
/// - anything else: 404; a method other than GET or HEAD: 405.
public struct MetricsEndpoint: Sendable {
    public struct Reply: Sendable, Equatable {
        public var status: Int
        public var contentType: String
        public var body: [UInt8]
    }

    public static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"
    /// Gauges every endpoint keeps.
    public static var residentMemory: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "m2grl", subsystem: "process", metricName: "resident_memory", unitName: "bytes",
                             helpText: "Resident set size of the process (/proc/self/statm).")
    }
    public static var ready: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "m2grl", metricName: "ready", unitName: "", helpText: "1 when /readyz answers 200, else 0.")
    }

    public let registry: PrometheusCollectorRegistry
    public let beforeScrape: @Sendable () -> Void
    public let readiness: @Sendable () -> Readiness

    public init(registry: PrometheusCollectorRegistry, beforeScrape: @escaping @Sendable () -> Void = {},
                readiness: @escaping @Sendable () -> Readiness) {
        self.registry = registry
        self.beforeScrape = beforeScrape
        self.readiness = readiness
    }

    /// The reply to `method` on `uri` (a query string is ignored).
    public func reply(method: String, uri: String) -> Reply {
        guard method == "GET" || method == "HEAD" else { return text(405, "method not allowed: use GET\n") }
        let path = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? uri
        switch path {
        case "/metrics":
            beforeScrape()
            if let rss = ProcessMemory.residentBytes() { registry.makeGauge(descriptor: Self.residentMemory).set(Double(rss)) }
            registry.makeGauge(descriptor: Self.ready).set(readiness().ready ? 1.0 : 0.0)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(16_384)
            registry.emit(into: &buffer)
            return Reply(status: 200, contentType: Self.metricsContentType, body: buffer)
        case "/healthz":
            return text(200, "ok\n")
        case "/readyz":
            let r = readiness()
            return text(r.ready ? 200 : 503, "\(r.ready ? "ready" : "not ready"): \(r.reason)\n")
        default:
            return text(404, "not found: /metrics, /healthz and /readyz are served\n")
        }
    }

    private func text(_ status: Int, _ body: String) -> Reply {
        Reply(status: status, contentType: "text/plain; charset=utf-8", body: Array(body.utf8))
    }
}
