import ArgumentParser
import Foundation
import Logging
import Streaming
import Telemetry

/// `--metrics-address` and the readiness bounds, shared by `serve`, `replay` and `broker`
/// (docs/operations.md, "Metrics", "Health and readiness").
struct MetricsOptions: ParsableArguments {
    @Option(name: .long, help: "Serve Prometheus metrics at http://HOST:PORT/metrics, liveness at /healthz and readiness at /readyz (port 0: a free port; the address is printed).")
    var metricsAddress: String?

    @Option(name: .long, help: "Readiness (serve, replay): most messages behind the high watermarks, summed over the partitions.")
    var readyMaxLag: Int64 = 10_000

    @Option(name: .long, help: "Readiness (serve, replay): longest wait of a trained change for its version, in publish intervals.")
    var readyPublishIntervals: Int = 3

    func validate() throws {
        _ = try address()
        try requireRange(readyMaxLag, CommandLineLimits.readyMaxLag, option: "--ready-max-lag")
        try requireRange(readyPublishIntervals, CommandLineLimits.readyPublishIntervals, option: "--ready-publish-intervals")
    }

    private func address() throws -> MetricsAddress? {
        guard let metricsAddress else { return nil }
        do { return try MetricsAddress(parsing: metricsAddress) } catch { throw ValidationError("--metrics-address: \(error)") }
    }

    /// `serve` and `replay`: installs the Prometheus backend, watches `processor` at every
    /// scrape and starts the endpoint with the stream's readiness (`ReadinessPolicy`: status
    /// lines every `statusInterval`, versions every `publishInterval` or none when nil; a
    /// replay starts `replaying`). Call before making the services (instruments made earlier
    /// go nowhere). Nil without the option.
    func start(stream processor: IngestProcessor, statusInterval: Duration, publishInterval: Duration?,
               replaying: Bool = false, logger: Logger) async throws -> MetricsHTTPServer? {
        guard metricsAddress != nil else { return nil }
        _ = PrometheusBackend.install(valueBuckets: MetricNames.valueBuckets, durationBuckets: MetricNames.durationBuckets)
        var policy = ReadinessPolicy(maxLagMessages: readyMaxLag, statusInterval: statusInterval, publishInterval: publishInterval)
        policy.publishIntervals = readyPublishIntervals
        policy.startsReplaying = replaying
        let telemetry = StreamTelemetry.shared
        telemetry.readiness.configure(policy)
        telemetry.watch(processor)
        return try await start(beforeScrape: { telemetry.beforeScrape() }, readiness: { telemetry.currentReadiness() }, logger: logger)
    }

    /// Any command: the endpoint with `readiness` (process metrics only, beside whatever
    /// the command records). Nil without the option.
    func start(beforeScrape: @escaping @Sendable () -> Void = {}, readiness: @escaping @Sendable () -> Readiness,
               logger: Logger) async throws -> MetricsHTTPServer? {
        guard let address = try address() else { return nil }
        let registry = PrometheusBackend.install(valueBuckets: MetricNames.valueBuckets, durationBuckets: MetricNames.durationBuckets)
        let endpoint = MetricsEndpoint(registry: registry, beforeScrape: beforeScrape, readiness: readiness)
        let server: MetricsHTTPServer
        do { server = try await MetricsHTTPServer.start(address: address, endpoint: endpoint, logger: logger) } catch {
            throw MetricsStartFailure(description: "--metrics-address: \(error)")
        }
        // Unbuffered, so a script reading our stdout sees it at once.
        FileHandle.standardOutput.write(Data("metrics: http://\(server.address)/metrics\n".utf8))
        return server
    }
}

/// The endpoint could not listen (port in use, ...): a runtime failure (exit 1), named by flag.
struct MetricsStartFailure: Error, CustomStringConvertible {
    var description: String
}
