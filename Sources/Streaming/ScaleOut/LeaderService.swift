import Foundation
import Kafka
import Logging
import Model
import ServiceLifecycle

/// The leader role of a scale-out instance (docs/scale-out.md, "Leader"): a member of the
/// leader group on the one-partition coordination topic; while it is assigned the partition
/// it claims a term, fences the versions topic, restores a trainer (its own checkpoint, or
/// the newest published version) and runs the timed scheduler, whose versions carry the
/// term. Losing the partition stops training and publication at once. Every instance also
/// sends its heartbeat to the coordination topic from here.
final class LeaderService: Service, Sendable {
    struct Settings: Sendable {
        var setup: ServeSetup
        var scaleOut: ScaleOutSettings
        var topics: ScaleOutTopics
        var writer: GraphDeltaRecord.Writer
    }

    let processor: IngestProcessor
    let settings: Settings
    let progress: ReplicaProgress
    let ownership: DeltaCutterService.Ownership
    let leadership: Leadership
    let history: HistoryLog?
    let logger: Logger

    init(processor: IngestProcessor, settings: Settings, progress: ReplicaProgress, ownership: DeltaCutterService.Ownership,
         leadership: Leadership, history: HistoryLog?, logger: Logger) {
        self.processor = processor
        self.settings = settings
        self.progress = progress
        self.ownership = ownership
        self.leadership = leadership
        self.history = history
        self.logger = logger
    }

    private var kafka: KafkaConfiguration { settings.setup.kafka }

    func run() async throws {
        let leadership = self.leadership, logger = self.logger, topics = settings.topics
        let handler = RebalanceHandler(
            onAssign: { parts in
                if parts.contains(TopicPartition(topics.coordination, 0)) {
                    leadership.gain()
                    logger.notice("leader: this instance holds the coordination partition\(leadership.term.map { " (term \($0) goes on unless another member claimed a higher one)" } ?? "")")
                }
                return [:]
            },
            onRevoke: { parts, lost in
                if parts.contains(TopicPartition(topics.coordination, 0)) {
                    leadership.lose()
                    logger.notice("leader: leadership \(lost ? "lost" : "revoked")")
                }
            })
        let consumer = try KafkaConsumer(
            configuration: .consumer(bootstrapServers: kafka.bootstrapServers, groupID: topics.leaderGroup,
                                     properties: ScaleOutTopics.leaderGroupProperties(
                                        kafka, instance: settings.writer.instance, startedAtMs: HistoryLog.nowMs)),
            rebalance: handler, logger: logger)
        let producer = try KafkaProducer(
            configuration: kafka.producerConfiguration(),
            logger: logger)
        try consumer.subscribe([topics.coordination])
        let coordination = CoordinationLog(kafka: kafka, topic: topics.coordination, logger: logger)
        var leading: (task: Task<Void, Never>, finished: CompletionFlag)?
        var lastHeartbeat = ContinuousClock.now - settings.scaleOut.heartbeatInterval
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    // The leader reads every term claim (the assigned member reads the topic
                    // from its start): another member's higher claim ends this leadership.
                    if let polled = try? await consumer.poll(maxMessages: 1_000, timeout: .milliseconds(100)) {
                        for m in polled.messages {
                            guard let r = CoordinationRecord.decode(m), r.kind == .term, let term = r.term, !self.isOwn(r) else { continue }
                            leadership.observeClaim(term)
                        }
                    }
                    if leadership.needsVerification, let term = leadership.term {
                        // Given the partition back: the claims made while revoked decide.
                        if let claims = try? await coordination.readAll() {
                            let highest = claims.filter { $0.record.kind == .term && !self.isOwn($0.record) }.compactMap(\.record.term).max() ?? 0
                            leadership.verified(othersClaimed: highest)
                            logger.notice(highest > term ? "leader: a higher term (\(highest)) was claimed meanwhile; term \(term) is over"
                                                         : "leader: term \(term) goes on (no higher claim)")
                        }
                    }
                    if let l = leading, l.finished.isSet { leading = nil }
                    if leading == nil, leadership.isAssigned {
                        let finished = CompletionFlag()
                        leading = (Task { defer { finished.set() }; await self.lead() }, finished)
                    }
                    if ContinuousClock.now - lastHeartbeat >= settings.scaleOut.heartbeatInterval {
                        lastHeartbeat = .now
                        _ = try? await coordination.write(heartbeat(), with: producer)
                    }
                }
                // Shutdown: the leading task publishes its last version and checkpoints (it
                // sees the graceful shutdown too) before this instance leaves the group.
                if let l = leading { await l.task.value }
            } onGracefulShutdown: {}
        } onCancel: {
            leadership.lose()
        }
        await consumer.close()
        try? await producer.flush(timeout: .seconds(5))
    }

    /// A record this incarnation wrote.
    private func isOwn(_ r: CoordinationRecord) -> Bool {
        r.instance == settings.writer.instance && r.incarnation == String(settings.writer.incarnation, radix: 16)
    }

    private func heartbeat() -> CoordinationRecord {
        var record = CoordinationRecord(kind: .heartbeat, writer: settings.writer)
        record.partitions = ownership.owned.map(\.partition)
        record.leader = leadership.publishingTerm != nil
        record.term = leadership.term
        record.replicaPosition = progress.position
        record.logEnd = progress.logEnd
        return record
    }

    /// One leadership: takes over, then trains and publishes until it is over (another
    /// member claimed a higher term, or the partition stayed away longer than the regain
    /// window) or the instance shuts down.
    private func lead() async {
        do {
            guard let (service, term) = try await takeOver() else { return }
            let leadership = self.leadership
            try await service.run(abandonWhen: { leadership.isOver(term: term) }, publishWhen: { leadership.publishingTerm == term })
            if leadership.isOver(term: term) { logger.notice("leader: leadership under term \(term) is over") }
        } catch {
            logger.error("leader: \(error); this instance stops leading")
            try? await Task.sleep(for: .seconds(2))   // then tries again while it holds the partition
        }
        leadership.setTerm(nil)
    }

    /// Claims a term, fences the versions topic, numbers after the newest version, restores
    /// the model and wires the timed scheduler. nil when the leadership ended meanwhile.
    private func takeOver() async throws -> (ContinuousTrainingService, UInt64)? {
        let setup = settings.setup, config = setup.config
        guard let training = setup.training else {
            logger.notice("leader: --no-train, this instance leads but neither trains nor publishes")
            while !Task.isShuttingDownGracefully && !Task.isCancelled && leadership.isAssigned { try? await Task.sleep(for: .milliseconds(200)) }
            return nil
        }
        let producer = try KafkaProducer(
            configuration: kafka.producerConfiguration(),
            logger: logger)
        let versionsTopic = PublicationTopics(pipeline: config).versions
        if training.publish {
            try await TopicProvisioning(kafka: kafka, embedded: setup.embedded).ensure(PublicationSetup.topicSpecs(config: config), logger: logger)
        }
        let before = training.publish
            ? try await EmbeddingPublisher.publishedSequence(configuration: kafka, versionsTopic: versionsTopic, logger: logger)
            : PublishedVersionSequence()
        let term = try await claimTerm(after: max(before.highestTerm, leadership.othersTerm), producer: producer)
        leadership.setTerm(term)
        guard !leadership.isOver(term: term) else { return nil }
        var newest: UInt64 = 0
        if training.publish {
            let fence = try await producer.send(VersionFence(term: term, instance: settings.writer.instance).producerRecord(topic: versionsTopic))
            let sequence = try await EmbeddingPublisher.publishedSequence(
                configuration: kafka, versionsTopic: versionsTopic, through: fence.offset, logger: logger)
            guard sequence.highestTerm <= term else {
                logger.warning("leader: the versions topic already has term \(sequence.highestTerm) above ours (\(term)); taking over again")
                leadership.observeClaim(sequence.highestTerm)
                return nil
            }
            newest = sequence.newest ?? 0
            guard newest < VersionManifest.maxVersion else {
                throw PublicationError.invalidVersion(version: newest, reason: "\(versionsTopic) already holds the last version number")
            }
        }
        // The replica first reads the log as far as the previous leader's data went.
        let logEnd = await deltasLogEnd()
        if !(await progress.waitForPosition(logEnd, timeout: settings.scaleOut.syncTimeout)) {
            logger.warning("leader: the replica has not read the deltas log to \(logEnd) (at \(progress.position)); training from what it has")
        }
        guard !leadership.isOver(term: term) else { return nil }
        let (model, source) = try await modelToRestore(newestPublished: newest, publishes: training.publish)
        let trainer: ContinuousTrainer
        do {
            trainer = try OnlineRuntime.trainer(
                config: config, pipelineHash: setup.pipelineHash, processor: processor,
                threads: training.threads ?? config.training.threads, firstVersion: newest + 1, restoring: model, logger: logger)
        } catch let error as ModelCheckpoint.Error {
            logger.warning("leader: the model of \(source) does not fit this replica (\(error)); training a new model")
            trainer = try OnlineRuntime.trainer(
                config: config, pipelineHash: setup.pipelineHash, processor: processor,
                threads: training.threads ?? config.training.threads, firstVersion: newest + 1, restoring: nil, logger: logger)
        }
        let sink = training.publish
            ? try await PublicationSetup.sink(config: config, kafka: kafka, continuingAfter: newest, term: term, logger: logger)
            : nil
        logger.notice("leader: term \(term), publishing after version \(newest), model from \(source)")
        let service = OnlineRuntime.trainingService(
            trainer: trainer, sink: sink, history: history, config: config, state: setup.stateDirectory,
            finalEpochs: setup.finalEpochs, evaluation: training.evaluation, logger: logger)
        return (service, term)
    }

    /// The deltas log's end as a fetch finds it now (the replica's view if it cannot).
    private func deltasLogEnd() async -> Int64 {
        guard let scan = try? TopicRangeScan(configuration: kafka, logger: logger) else { return progress.logEnd }
        let log = settings.topics.deltasLog
        let end = (try? await scan.consumer.endOffsets([log], timeout: .seconds(10)))?[log]
        await scan.close()
        return end ?? progress.logEnd
    }

    /// A term no leader had: one more than the highest claimed in the coordination topic
    /// and seen in the versions topic; the first claim of a number in the log owns it.
    private func claimTerm(after versionsTerm: UInt64, producer: KafkaProducer) async throws -> UInt64 {
        let coordination = CoordinationLog(kafka: kafka, topic: settings.topics.coordination, logger: logger)
        var highest = versionsTerm
        for _ in 0..<10 {
            let claims = try await coordination.readAll().filter { $0.record.kind == .term }
            highest = max(highest, claims.compactMap(\.record.term).max() ?? 0)
            guard highest < UInt64.max else { throw ScaleOutError.refused("no leader term is left") }
            var claim = CoordinationRecord(kind: .term, writer: settings.writer)
            claim.term = highest + 1
            let offset = try await coordination.write(claim, with: producer)
            let first = try await coordination.readAll().first { $0.record.kind == .term && ($0.record.term ?? 0) >= highest + 1 }
            if first?.offset == offset { return highest + 1 }
            highest = max(highest + 1, first?.record.term ?? 0)
        }
        throw ScaleOutError.refused("could not claim a leader term (other members kept claiming)")
    }

    /// The model a new leader starts from: its own checkpoint when it reflects the newest
    /// published version (this instance led last), else the newest usable published version
    /// (input tables, alignments, task weights; context tables from zero), else its
    /// checkpoint if any, else a new model.
    private func modelToRestore(newestPublished: UInt64, publishes: Bool) async throws -> (ModelCheckpoint.Loaded?, String) {
        let state = settings.setup.stateDirectory
        var local: ModelCheckpoint.Loaded?
        do { local = try ModelCheckpoint.load(stateDirectory: state, logger: logger) } catch {
            logger.warning("leader: the local checkpoint is unusable: \(error)")
        }
        if let local, local.info.publishedVersion >= newestPublished {
            return (local, "the local checkpoint (version \(local.info.publishedVersion))")
        }
        guard publishes, newestPublished > 0 else { return (local, local == nil ? "scratch" : "the local checkpoint") }
        do {
            let topics = PublicationTopics(pipeline: settings.setup.config)
            let assembled = try await PublishedVersionReader(configuration: kafka, topics: topics, logger: logger).read().assemble()
            return (Self.loaded(from: assembled), "published version \(assembled.manifest.version)")
        } catch {
            logger.warning("leader: no published version could be read (\(error))")
            return (local, local == nil ? "scratch" : "the local checkpoint")
        }
    }

    /// A published version as a checkpoint: its published vectors as the input tables (input
    /// + context sums with `training.embedding: input_plus_context`), its alignment matrices
    /// and task weights, zero context tables (docs/scale-out.md, "Quality after a takeover").
    static func loaded(from assembled: AssembledVersion) -> ModelCheckpoint.Loaded {
        let m = assembled.manifest
        var contexts: [String: EmbeddingMatrix] = [:]
        for view in assembled.model.views {
            contexts[view.name] = EmbeddingMatrix(rows: view.embeddings.rows, dim: view.embeddings.dim,
                                                  values: [Float](repeating: 0, count: view.embeddings.values.count))
        }
        let info = CheckpointInfo(
            publishedVersion: m.version, createdAt: ISO8601DateFormatter().string(from: Date()),
            inputOffsets: Dictionary(m.inputOffsets.map { ("\($0.key.topic):\($0.key.partition)", $0.value) }, uniquingKeysWith: { a, _ in a }),
            eventTimeWatermarkMs: m.eventTimeWatermarkMs, taskLogVariances: m.taskLogVariances, rounds: 0, tokensTrained: 0)
        return ModelCheckpoint.Loaded(info: info, model: assembled.model, contexts: contexts, directory: "published version \(m.version)")
    }
}
