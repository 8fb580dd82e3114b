/// An ad-hoc composite key of any number of ``KeyCodable`` components, encoded in order:
/// `CompositeKey(UInt16(3), "user-name", Int64(-5))`.
public struct CompositeKey<each Component: KeyCodable>: KeyCodable {
    /// The components, as a tuple.
    public var components: (repeat each Component)

    public init(_ components: repeat each Component) {
        self.components = (repeat each components)
    }

    public func encode(to encoder: inout KeyEncoder) {
        for component in repeat each components {
            component.encode(to: &encoder)
        }
    }

    public static func decode(from decoder: inout KeyDecoder) throws -> Self {
        try Self(repeat decodeComponent((each Component).self, from: &decoder))
    }
}

/// Decodes one component; a separate function so the pack expansion evaluates in order.
private func decodeComponent<T: KeyCodable>(_: T.Type, from decoder: inout KeyDecoder) throws -> T {
    try T.decode(from: &decoder)
}
