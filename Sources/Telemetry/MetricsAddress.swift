/// Where the metrics endpoint listens: `HOST:PORT`, `[IPv6]:PORT`; port 0 picks a free one.
public struct MetricsAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT` (`127.0.0.1:9464`, `0.0.0.0:9464`, `localhost:0`, `[::1]:9464`);
    /// throws a message saying what is wrong (the caller names the flag).
    public init(parsing text: String) throws(Invalid) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw Invalid("'\(text)' is not [IPv6]:PORT")
            }
            hostPart = text[text.index(after: text.startIndex)..<close]
            portPart = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw Invalid("'\(text)' is not HOST:PORT") }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            guard !hostPart.contains(":") else { throw Invalid("'\(text)': write an IPv6 host in brackets, [HOST]:PORT") }
        }
        guard !hostPart.isEmpty else { throw Invalid("'\(text)' has no host (use 0.0.0.0 for every interface)") }
        guard hostPart.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-_:%".contains($0)) }) else {
            throw Invalid("'\(text)': the host has characters no host name or address has")
        }
        guard portPart.count <= 5, portPart.allSatisfy(\.isASCII), let port = Int(portPart), (0...65_535).contains(port) else {
            throw Invalid("'\(text)': the port must be a number from 0 to 65535")
        }
        self.host = String(hostPart)
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
