import Streaming
import Model

/// Everything a report is drawn from.
public struct ReportInput: Sendable {
    /// Page title.
    public var title: String
    /// The history records (`<state>/history.jsonl`), in any order.
    public var records: [HistoryRecord]
    /// History lines that did not decode.
    public var skippedLines: Int
    /// The item view of the latest model checkpoint, for the projection.
    public var itemEmbeddings: TrainedView?
    /// Item attributes colouring the projection.
    public var categories: ItemCategories?
    /// Remarks shown on the page (e.g. why embeddings or categories are missing).
    public var notes: [String]
    /// When the report was made (shown as is).
    public var generatedAt: String

    public init(title: String = "m2grl report", records: [HistoryRecord], skippedLines: Int = 0,
                itemEmbeddings: TrainedView? = nil, categories: ItemCategories? = nil,
                notes: [String] = [], generatedAt: String = "") {
        self.title = title
        self.records = records
        self.skippedLines = skippedLines
        self.itemEmbeddings = itemEmbeddings
        self.categories = categories
        self.notes = notes
        self.generatedAt = generatedAt
    }
}
