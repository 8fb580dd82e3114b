import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// A small HTTP/1.1 server for `MetricsEndpoint` (SwiftNIO on its shared event loops).
/// `start` binds at once, so a bad host or a port in use fails before anything else runs;
/// it serves from then on. `run` (the `Service`) waits for graceful shutdown or
/// cancellation and closes the listening socket; `close` does so directly. Every response
/// closes its connection (scrapes are seconds apart; nothing to keep alive).
public final class MetricsHTTPServer: Service, Sendable {
    private let channel: any Channel
    /// The address actually bound (with the port the system chose for port 0).
    public let address: MetricsAddress

    private init(channel: any Channel, address: MetricsAddress) {
        self.channel = channel
        self.address = address
    }

    /// Binds `address` and serves `endpoint`.
    public static func start(address: MetricsAddress, endpoint: MetricsEndpoint, logger: Logger) async throws(StartFailure) -> MetricsHTTPServer {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(MetricsRequestHandler(endpoint: endpoint))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: address.host, port: address.port).get()
        } catch {
            throw StartFailure(address: address, underlying: error)
        }
        let bound = MetricsAddress(host: address.host, port: channel.localAddress?.port ?? address.port)
        logger.info("metrics endpoint listening", metadata: ["address": "\(bound)"])
        return MetricsHTTPServer(channel: channel, address: bound)
    }

    public func run() async throws {
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await channel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            self.channel.close(promise: nil)
        }
    }

    /// Stops listening (connections being answered finish).
    public func close() async {
        try? await channel.close()
    }

    /// Why the endpoint could not start: the address does not resolve, or it cannot be
    /// bound (port in use, no permission, not an address of this host).
    public struct StartFailure: Error, CustomStringConvertible {
        public var address: MetricsAddress
        public var underlying: any Error

        public var description: String {
            if let io = underlying as? IOError, io.errnoCode == EADDRINUSE {
                return "cannot listen on \(address): the port is in use (another process listens on it)"
            }
            return "cannot listen on \(address): \(underlying)"
        }
    }
}

/// Answers each request on a connection with `MetricsEndpoint.reply`, then closes it.
private final class MetricsRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let endpoint: MetricsEndpoint
    private var head: HTTPRequestHead?

    init(endpoint: MetricsEndpoint) { self.endpoint = endpoint }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let reply = endpoint.reply(method: request.method.rawValue, uri: request.uri)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: reply.contentType)
        headers.add(name: "Content-Length", value: String(reply.body.count))
        headers.add(name: "Connection", value: "close")
        let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: reply.body)))), promise: nil)
        }
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
