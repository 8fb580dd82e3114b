/// One fuzz target: a decoder fed arbitrary bytes. `run` must return for every input (a
/// trap, a sanitizer report or a failed `FuzzCheck` is a finding), telling whether the
/// decoder accepted it; `seeds` are inputs made by the real encoders, which must be
/// accepted, written to `Fuzz/corpus/<name>/` by `ops/fuzz seeds`.
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable ([UInt8]) -> Bool
    let seeds: @Sendable () throws -> [String: [UInt8]]

    /// Every target, by the name `ops/fuzz` and `M2GRL_FUZZ_TARGET` use.
    static let all: [FuzzTarget] = [
        EventDecoderTargets.json, EventDecoderTargets.file,
        PublicationTargets.manifest, PublicationTargets.assembler,
        StateTargets.userState, StateTargets.partitionClock, StateTargets.walkBlock,
        EmbeddingFileTarget.target, ModelDirectoryTarget.target,
        PipelineTarget.target, ScaleOutTargets.graphDelta,
    ]

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }
}
