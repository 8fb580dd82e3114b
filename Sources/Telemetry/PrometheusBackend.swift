import Metrics
import Prometheus
import Synchronization

/// The process's swift-metrics backend: one Prometheus registry, installed with
/// `MetricsSystem.bootstrap` the first time `install` is called. swift-metrics allows one
/// bootstrap per process, so later calls return the same registry (their buckets are
/// ignored). Instruments created before the install (`Counter(label:)` and so on) stay
/// no-ops: install first, then create services.
public enum PrometheusBackend {
    private static let installed = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Installs the backend (once) and returns its registry. `valueBuckets` and
    /// `durationBuckets` give the histogram buckets per metric name (swift-metrics
    /// `Recorder` and `Timer`); others get the library's defaults.
    public static func install(valueBuckets: [String: [Double]] = [:],
                               durationBuckets: [String: [Duration]] = [:]) -> PrometheusCollectorRegistry {
        installed.withLock { registry in
            if let registry { return registry }
            let made = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(factory(registry: made, valueBuckets: valueBuckets, durationBuckets: durationBuckets))
            registry = made
            return made
        }
    }

    /// A factory writing into `registry`, for code (and tests) that inject one instead of
    /// using the process-wide backend.
    public static func factory(registry: PrometheusCollectorRegistry, valueBuckets: [String: [Double]] = [:],
                               durationBuckets: [String: [Duration]] = [:]) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.valueHistogramBuckets = valueBuckets
        factory.durationHistogramBuckets = durationBuckets
        return factory
    }
}
