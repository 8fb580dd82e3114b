import CRdKafka

/// An error from librdkafka or from this layer, with librdkafka's error code and text.
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// librdkafka's `rd_kafka_resp_err_t` as a raw value, or one of this layer's codes.
    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let invalidConfiguration = Code(rawValue: -10_001)
        public static let closed = Code(rawValue: -10_002)
        public static let timedOut = Code(rawValue: RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue)
        public static let queueFull = Code(rawValue: RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue)
        public static let unknownTopicOrPartition = Code(rawValue: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue)
        public static let topicAlreadyExists = Code(rawValue: RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS.rawValue)
        public static let messageTimedOut = Code(rawValue: RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue)
    }

    public var code: Code
    public var message: String
    /// librdkafka flags a fatal error (e.g. an idempotence guarantee broken): the client
    /// must be recreated.
    public var isFatal: Bool = false

    public init(code: Code, message: String, isFatal: Bool = false) {
        self.code = code
        self.message = message
        self.isFatal = isFatal
    }

    init(_ err: rd_kafka_resp_err_t, context: String? = nil) {
        let text = String(cString: rd_kafka_err2str(err))
        self.init(code: Code(rawValue: err.rawValue), message: context.map { "\($0): \(text)" } ?? text)
    }

    /// Takes ownership of an `rd_kafka_error_t` and destroys it.
    init(consuming error: OpaquePointer, context: String? = nil) {
        let text = String(cString: rd_kafka_error_string(error))
        let code = rd_kafka_error_code(error)
        let fatal = rd_kafka_error_is_fatal(error) != 0
        rd_kafka_error_destroy(error)
        self.init(code: Code(rawValue: code.rawValue),
                  message: context.map { "\($0): \(text)" } ?? text, isFatal: fatal)
    }

    /// librdkafka's symbolic name, e.g. `_TIMED_OUT` or `UNKNOWN_TOPIC_OR_PART`.
    public var name: String {
        if code == .invalidConfiguration { return "INVALID_CONFIGURATION" }
        if code == .closed { return "CLIENT_CLOSED" }
        return String(cString: rd_kafka_err2name(rd_kafka_resp_err_t(rawValue: code.rawValue)))
    }

    public var description: String { "Kafka error \(name): \(message)" }
}

extension String {
    /// Reads a NUL-terminated C error buffer.
    init(errorBuffer buf: [CChar]) {
        let end = buf.firstIndex(of: 0) ?? buf.count
        self = String(decoding: buf[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
