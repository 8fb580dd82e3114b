import Foundation
import Testing

@testable import Model

@Suite struct PipelineConfigDataTests {
    let full = """
        name: movielens-100k
        events:
          format: csv
          user: user_id
          item: item_id
          time: timestamp
          time_unit: milliseconds
          action: null
        views:
          - name: genre
            field: genre
          - name: decade
            field: decade
        sessions:
          gap_seconds: 3600
          min_length: 3
          min_dwell_seconds: 1.5
          max_events_per_user: 1000
        walks:
          length: 40
          per_node: 7
          seed: 9
        alignments:
          - to: genre
          - to: decade
        training:
          dim: 32
          window: 4
          negatives: {item: 10, genre: 2}
          align_negatives: 3
          epochs: 2
          learning_rate: 0.05
          min_learning_rate: 0.001
          batch_size: 16
          threads: 2
          seed: 3
          tasks: {intra: true, align: false, uncertainty: false}
          align_activation: identity
          task_weight_scaling: mean
        kafka:
          topic: events
          group: g1
          dead_letter_topic: dlq
          partitions: 4
        """

    func parseError(_ yaml: String) -> String? {
        do {
            _ = try PipelineConfig.parse(yaml: yaml, source: "pipelines/x.yaml")
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func parsesEveryField() throws {
        let config = try PipelineConfig.parse(yaml: full, source: "full.yaml")
        #expect(config.name == "movielens-100k")
        #expect(config.events.format == .csv)
        #expect(config.events.timeUnit == .milliseconds)
        #expect(config.events.action == nil)
        #expect(config.viewNames == ["item", "genre", "decade"])
        #expect(config.views[1] == PipelineConfig.View(name: "decade", field: "decade"))
        #expect(config.sessions == PipelineConfig.Sessions(gapSeconds: 3600, minLength: 3, minDwellSeconds: 1.5, maxEventsPerUser: 1000))
        #expect(config.walks == PipelineConfig.Walks(length: 40, perNode: 7, seed: 9))
        #expect(config.alignments.map(\.to) == ["genre", "decade"])
        #expect(config.alignments.allSatisfy { $0.from == "item" })
        let t = config.training
        #expect(t.dim == 32 && t.window == 4 && t.alignNegatives == 3 && t.epochs == 2)
        #expect(t.negatives.count(forView: "item") == 10)
        #expect(t.negatives.count(forView: "genre") == 2)
        #expect(t.negatives.count(forView: "decade") == 5)
        #expect(t.learningRate == 0.05 && t.minLearningRate == 0.001)
        #expect(t.batchSize == 16 && t.threads == 2 && t.seed == 3)
        #expect(t.tasks == PipelineConfig.Tasks(intra: true, align: false, uncertainty: false))
        #expect(t.alignActivation == .identity)
        #expect(t.taskWeightScaling == .mean)
        #expect(TrainerConfig(pipeline: t).taskWeightScaling == .mean)
        #expect(config.kafka == PipelineConfig.Kafka(topic: "events", group: "g1", deadLetterTopic: "dlq", partitions: 4))
    }

    @Test func appliesDefaults() throws {
        let config = try PipelineConfig.parse(yaml: dataTestPipelineYAML)
        #expect(config.events.format == .jsonl)
        #expect(config.events.timeUnit == .seconds)
        #expect(config.views.isEmpty && config.alignments.isEmpty && config.kafka == nil)
        #expect(config.sessions.gapSeconds == 1800 && config.sessions.minLength == 2)
        #expect(config.walks == PipelineConfig.Walks())
        #expect(config.training == PipelineConfig.Training())
        #expect(config.training.taskWeightScaling == .perTable)
        #expect(config.training.negatives.count(forView: "item") == 5)
    }

    @Test func scalarNegativesApplyToEveryView() throws {
        let config = try PipelineConfig.parse(yaml: dataTestPipelineYAML + "\ntraining:\n  negatives: 7\n")
        #expect(config.training.negatives.count(forView: "item") == 7)
    }

    @Test func missingFieldIsNamedWithItsPath() {
        let yaml = dataTestPipelineYAML + """

            views:
              - name: a
                field: a
              - name: b
                field: b
              - name: c
            """
        #expect(parseError(yaml) == "pipelines/x.yaml: views[2].field: missing")
        #expect(parseError("name: x\n") == "pipelines/x.yaml: events: missing")
        #expect(parseError("name: x\nevents:\n  user: u\n  item: i\n") == "pipelines/x.yaml: events.time: missing")
    }

    @Test func unknownKeysAreErrorsAtEveryLevel() {
        #expect(parseError(dataTestPipelineYAML + "\ncolour: red\n")?.hasPrefix("pipelines/x.yaml: colour: unknown key") == true)
        #expect(parseError(dataTestPipelineYAML + "\n  colour: red\n")?.hasPrefix("pipelines/x.yaml: events.colour: unknown key") == true)
        #expect(parseError(dataTestPipelineYAML + "\nwalks:\n  lenght: 3\n")?.hasPrefix("pipelines/x.yaml: walks.lenght: unknown key") == true)
        #expect(parseError(dataTestPipelineYAML + "\ntraining:\n  tasks: {intra: true, fusion: true}\n")?.hasPrefix("pipelines/x.yaml: training.tasks.fusion: unknown key") == true)
        #expect(parseError(dataTestPipelineYAML + "\nkafka:\n  topic: t\n  brokers: x\n")?.hasPrefix("pipelines/x.yaml: kafka.brokers: unknown key") == true)
        #expect(parseError(dataTestPipelineYAML + "\npublish:\n  every: 1\n")?.hasPrefix("pipelines/x.yaml: publish.every: unknown key") == true)
        #expect(parseError(dataTestPipelineYAML + "\nonline:\n  rounds: 1\n")?.hasPrefix("pipelines/x.yaml: online.rounds: unknown key") == true)
    }

    @Test func badValuesNameTheField() {
        #expect(parseError(dataTestPipelineYAML + "\nsessions:\n  gap_seconds: -1\n") == "pipelines/x.yaml: sessions.gap_seconds: must be between 0.001 and 31536000, got -1")
        #expect(parseError(dataTestPipelineYAML + "\nwalks:\n  per_node: many\n") == "pipelines/x.yaml: walks.per_node: must be an integer")
        #expect(parseError(dataTestPipelineYAML.replacingOccurrences(of: "user: user_id", with: "user: user_id\n  format: xml"))?.hasPrefix("pipelines/x.yaml: events.format: must be one of jsonl | csv | tsv") == true)
        #expect(parseError(dataTestPipelineYAML + "\ntraining:\n  task_weight_scaling: adam\n")?
            .hasPrefix("pipelines/x.yaml: training.task_weight_scaling: must be one of per_table | mean | raw, got 'adam'") == true)
        #expect(parseError(dataTestPipelineYAML + "\nalignments:\n  - to: shop\n")?.hasPrefix("pipelines/x.yaml: alignments[0].to: unknown view 'shop'") == true)
        #expect(parseError(dataTestPipelineYAML + "\nviews:\n  - name: item\n    field: x\n")?.hasPrefix("pipelines/x.yaml: views[0].name:") == true)
        #expect(parseError(dataTestPipelineYAML + "\ntraining:\n  negatives: {item: 1, shop: 2}\n")?.hasPrefix("pipelines/x.yaml: training.negatives.shop: unknown key") == true)
        #expect(parseError(dataTestPipelineYAML + "\ntraining:\n  learning_rate: 0.01\n  min_learning_rate: 0.1\n")?.hasPrefix("pipelines/x.yaml: training.min_learning_rate:") == true)
        #expect(parseError("name: [1\n")?.hasPrefix("pipelines/x.yaml: not valid YAML") == true)
        #expect(parseError(dataTestPipelineYAML + "\ningest:\n  adjacency_cache_mb: 0\n")?.hasPrefix("pipelines/x.yaml: ingest.adjacency_cache_mb: must be a size in MiB") == true)
        #expect(parseError(dataTestPipelineYAML + "\ningest:\n  cache: 1\n")?.hasPrefix("pipelines/x.yaml: ingest.cache: unknown key") == true)
    }

    @Test func ingestBoundIsReadInMiB() throws {
        let config = try PipelineConfig.parse(yaml: dataTestPipelineYAML + "\ningest:\n  adjacency_cache_mb: 1.5\n", source: "x")
        #expect(config.ingest.adjacencyCacheBytes == 1_572_864)
        #expect(try PipelineConfig.parse(yaml: dataTestPipelineYAML, source: "x").ingest.adjacencyCacheBytes == 1 << 30)
    }

    @Test func repositoryPipelinesParse() throws {
        // Tests run from the package root.
        for file in ["pipelines/synthetic.yaml", "pipelines/movielens-100k.yaml"] {
            let config = try PipelineConfig.load(path: file)
            #expect(!config.views.isEmpty, "\(file)")
            #expect(config.alignments.count == config.views.count, "\(file)")
        }
    }
}
