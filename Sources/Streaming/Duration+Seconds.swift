extension Duration {
    /// The duration in seconds, sub-second parts included (rates, log lines, metrics).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
