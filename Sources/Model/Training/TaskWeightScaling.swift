/// How the learned task weights (`exp(-s_t)/2`, homoscedastic uncertainty) become SGD step
/// sizes.
///
/// Kendall et al. and the M2GRL demo train with Adam, which rescales every parameter's
/// update by its own gradient magnitude: there a task's weight matters only *relative to the
/// other tasks that update the same parameters*. Plain SGD has no such invariance, so the
/// raw weights also act as per-task learning rates: the item skip-gram task, whose loss
/// (10 negatives) is the largest, was trained at about half the learning rate of the
/// item-only ablation (docs/results.md 1).
public enum TaskWeightScaling: String, Sendable, Equatable, Codable, CaseIterable {
    /// Each view's tables are stepped by their own intra-view task at the learning rate
    /// itself; a task that also updates a view's input table (an alignment) steps those rows
    /// at `learning rate * w_task / w_owner`, where `w_owner` is that view's intra task
    /// weight. The alignment matrix, updated by its task alone, steps at the learning rate.
    /// The weights thus set how tasks mix on shared parameters, as under Adam, and the
    /// learning rate keeps its word2vec meaning for every table. With fixed weights this
    /// equals the other modes.
    case perTable = "per_table"
    /// Every parameter a task updates steps at `learning rate * w_t / mean(w)` (mean over
    /// the active tasks). The item task's step then depends on the other tasks' losses.
    case mean
    /// Every parameter a task updates steps at `learning rate * exp(-s_t)/2` (about 0.12
    /// for a loss of 4: learning slows about eightfold).
    case raw
}

/// Step factors (multipliers of the learning rate) for one synchronisation of a training
/// thread, derived from the current task weights.
struct TaskStepFactors: Equatable {
    /// Per data view: the factor of its intra-view skip-gram update.
    var intra: [Float]
    /// Per data alignment: the factors for the source view's rows, the target view's rows and
    /// the alignment matrix.
    var alignSource: [Float]
    var alignTarget: [Float]
    var alignMatrix: [Float]

    /// - Parameters:
    ///   - weights: the task weights as reported (`TrainingCoordinator`): raw `exp(-s_t)/2`
    ///     for `.raw`, divided by their mean for the other modes, all 1 with fixed weights.
    ///   - intraTask: the task index of each data view's intra task.
    ///   - alignTask, alignSourceView, alignTargetView: per data alignment, its task index and
    ///     the data view indices of its two sides.
    ///   - activeTasks: tasks with work in this pass; a view whose intra task is inactive
    ///     has no owner, and alignments step its rows at the plain learning rate (as they
    ///     do if the ratio is not finite, e.g. for a denormal owner weight).
    init(weights: [Float], scaling: TaskWeightScaling, intraTask: [Int], alignTask: [Int],
         alignSourceView: [Int], alignTargetView: [Int], activeTasks: [Bool]) {
        switch scaling {
        case .mean, .raw:
            intra = intraTask.map { weights[$0] }
            alignSource = alignTask.map { weights[$0] }
            alignTarget = alignSource
            alignMatrix = alignSource
        case .perTable:
            func relative(_ task: Int, toOwnerOf view: Int) -> Float {
                let owner = intraTask[view]
                guard activeTasks[owner], weights[owner] > 0 else { return 1 }
                let ratio = weights[task] / weights[owner]
                return ratio.isFinite ? ratio : 1
            }
            intra = intraTask.map { _ in 1 }
            alignSource = alignTask.indices.map { relative(alignTask[$0], toOwnerOf: alignSourceView[$0]) }
            alignTarget = alignTask.indices.map { relative(alignTask[$0], toOwnerOf: alignTargetView[$0]) }
            alignMatrix = alignTask.map { _ in 1 }
        }
    }
}
