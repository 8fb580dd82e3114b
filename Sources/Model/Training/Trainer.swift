import Dispatch
import Linalg
import Logging

/// Trains M2GRL (method.md): intra-view skip-gram per view, inter-view alignment per aligned
/// pair of views, tasks weighted by learned homoscedastic uncertainty.
///
/// Threads: `config.threads` OS threads (via `DispatchQueue.concurrentPerform`, not the
/// Swift cooperative pool) each take every `threads`-th walk and alignment pair and update
/// the shared tables without locks (Hogwild). Each thread has its own RNG stream derived
/// from `config.seed`. The learning rate decays linearly with the global amount of work
/// done (centre words plus alignment pairs), from `learningRate` to `minLearningRate`.
/// With `threads == 1` a run is bit-reproducible for a given seed.
///
/// `train` blocks the calling thread until done; call it from a dedicated thread or task
/// executor, not from the cooperative pool. It sets OpenBLAS to one thread (the trainer
/// parallelises itself) and leaves it so.
public struct Trainer: Sendable {
    public let config: TrainerConfig
    private let logger: Logger

    public init(config: TrainerConfig, logger: Logger = Logger(label: "m2grl.trainer")) {
        self.config = config
        self.logger = logger
    }

    /// Fresh parameters for these settings (empty; grown by `train`).
    public func makeParameters() -> ModelParameters {
        ModelParameters(dim: config.dim, seed: config.seed)
    }

    /// Trains from scratch on `data` and returns the trained model. Peak memory stays at
    /// about one copy of the tables: the context tables are freed (after being added to the
    /// input tables, for `embedding: input_plus_context`) before the input tables are copied
    /// into the result.
    public func train(
        _ data: TrainingData, progress: (@Sendable (TrainingProgress) -> Void)? = nil
    ) throws -> TrainedModel {
        let parameters = makeParameters()
        let (report, stats) = try update(parameters, on: data, progress: progress)
        for view in parameters.views {
            if config.embedding == .inputPlusContext {
                EmbeddingVectors.add(UnsafeBufferPointer(view.context.buffer), into: view.input.buffer)
            }
            view.context.release()
        }
        return Self.modelCopy(parameters: parameters, data: data, config: config, vectors: .input, tasks: report, stats: stats)
    }

    /// Continues training `parameters` on `data` (growing the tables for new nodes first)
    /// and returns a copy of the result (`modelCopy`). `parameters` keep the updated state.
    public func train(
        _ data: TrainingData, continuing parameters: ModelParameters,
        progress: (@Sendable (TrainingProgress) -> Void)? = nil
    ) throws -> TrainedModel {
        let (report, stats) = try update(parameters, on: data, progress: progress)
        return Self.modelCopy(parameters: parameters, data: data, config: config, tasks: report, stats: stats)
    }

    /// Trains `parameters` in place on `data` (growing the tables for new nodes first)
    /// without copying the tables out: the streaming trainer's round.
    public func update(
        _ parameters: ModelParameters, on data: TrainingData,
        progress: (@Sendable (TrainingProgress) -> Void)? = nil
    ) throws -> (tasks: TaskReport, stats: TrainingStats) {
        guard parameters.dim == config.dim
        else { throw TrainerError.dimensionMismatch(parameters: parameters.dim, config: config.dim) }
        parameters.prepare(for: data)
        let plan = try TrainingPlan(config: config, data: data, parameters: parameters)
        let initialS = plan.taskNames.map { parameters.logVariances[$0] ?? Double(config.initialLogVariance) }
        let coordinator = TrainingCoordinator(
            taskNames: plan.taskNames, taskKinds: plan.taskKinds, activeTasks: plan.activeTasks,
            logVariances: initialS,
            config: config, totalUnits: plan.totalUnits, progress: progress)
        logger.debug("training", metadata: [
            "views": "\(data.views.count)", "alignments": "\(data.alignments.count)",
            "units": "\(plan.totalUnits)", "threads": "\(config.threads)",
        ])
        BLAS.setThreadCount(1)
        if config.threads == 1 {
            TrainingWorker(thread: 0, plan: plan, parameters: parameters, coordinator: coordinator).run()
        } else {
            DispatchQueue.concurrentPerform(iterations: config.threads) { t in
                TrainingWorker(thread: t, plan: plan, parameters: parameters, coordinator: coordinator).run()
            }
        }
        let (report, stats, finalS) = coordinator.finish(threads: config.threads, epochs: config.epochs)
        for (name, s) in zip(plan.taskNames, finalS) { parameters.logVariances[name] = s }
        parameters.rounds &+= 1
        return (report, stats)
    }

    /// A value copy of `parameters` for the views and alignments of `data`; a view's vectors
    /// are made as `vectors` says (default `config.embedding`; `.input` for the input tables
    /// alone, e.g. after `train` has added the context tables into them).
    public static func modelCopy(
        parameters: ModelParameters, data: TrainingData, config: TrainerConfig, vectors: EmbeddingVectors? = nil,
        tasks: TaskReport = TaskReport(), stats: TrainingStats = TrainingStats()
    ) -> TrainedModel {
        let vectors = vectors ?? config.embedding
        let views = data.views.compactMap { view -> TrainedView? in
            guard let p = parameters.viewIndex(named: view.name) else { return nil }
            var names = view.nodeNames
            let rows = parameters.views[p].input.rows
            if names.count < rows { names += (names.count..<rows).map { "#\($0)" } }
            let tables = parameters.views[p]
            let values = vectors.combine(input: UnsafeBufferPointer(tables.input.buffer),
                                         context: UnsafeBufferPointer(tables.context.buffer))
            return TrainedView(name: view.name, nodeNames: names,
                               embeddings: EmbeddingMatrix(rows: rows, dim: parameters.dim, values: values))
        }
        let alignments = data.alignments.compactMap { a -> TrainedAlignment? in
            guard let p = parameters.alignmentIndex(source: a.sourceView, target: a.targetView) else { return nil }
            return TrainedAlignment(sourceView: a.sourceView, targetView: a.targetView,
                                    activation: config.alignActivation,
                                    matrix: parameters.alignments[p].matrix.matrixCopy())
        }
        return TrainedModel(dim: parameters.dim, views: views, alignments: alignments, tasks: tasks, stats: stats)
    }
}
