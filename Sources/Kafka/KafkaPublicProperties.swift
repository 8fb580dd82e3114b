extension KafkaConfiguration {
    /// librdkafka properties whose values are not secret and are shown in logs and
    /// descriptions (an allow-list). Every other key, secret or unknown (a misspelled
    /// `sasl.pasword`, a plugin's key, another capitalisation), is shown as `key=[redacted]`.
    /// Paths (`ssl.*.location`) are shown; inline keys, certificates, passwords, OAuth
    /// secrets, configs and extensions, keytabs and kinit commands are not.
    public static let publicKeys: Set<String> = [
        // Connection and security
        "bootstrap.servers", "metadata.broker.list", "client.id", "client.rack", "client.dns.lookup",
        "security.protocol", "sasl.mechanism", "sasl.mechanisms", "sasl.username",
        "sasl.kerberos.service.name", "sasl.kerberos.principal", "sasl.kerberos.min.time.before.relogin",
        "sasl.oauthbearer.method", "sasl.oauthbearer.scope", "enable.sasl.oauthbearer.unsecure.jwt",
        "ssl.ca.location", "ssl.ca.certificate.stores", "ssl.certificate.location", "ssl.key.location",
        "ssl.keystore.location", "ssl.crl.location", "ssl.endpoint.identification.algorithm",
        "enable.ssl.certificate.verification", "ssl.cipher.suites", "ssl.curves.list", "ssl.sigalgs.list",
        // General client behaviour
        "api.version.request", "api.version.request.timeout.ms", "api.version.fallback.ms", "broker.version.fallback",
        "broker.address.family", "broker.address.ttl", "allow.auto.create.topics", "connections.max.idle.ms",
        "debug", "log_level", "log.connection.close", "log.queue", "log.thread.name", "statistics.interval.ms",
        "message.max.bytes", "message.copy.max.bytes", "receive.message.max.bytes", "max.in.flight",
        "max.in.flight.requests.per.connection", "metadata.max.age.ms", "topic.metadata.refresh.interval.ms",
        "topic.metadata.refresh.fast.interval.ms", "topic.metadata.refresh.fast.cnt", "topic.metadata.refresh.sparse",
        "topic.metadata.propagation.max.ms", "reconnect.backoff.ms", "reconnect.backoff.max.ms",
        "reconnect.backoff.jitter.ms", "retry.backoff.ms", "retry.backoff.max.ms", "socket.timeout.ms",
        "socket.connection.setup.timeout.ms", "socket.keepalive.enable", "socket.nagle.disable", "socket.max.fails",
        "socket.send.buffer.bytes", "socket.receive.buffer.bytes", "enable.random.seed",
        // Consumer
        "group.id", "group.instance.id", "group.protocol", "group.protocol.type", "partition.assignment.strategy",
        "session.timeout.ms", "heartbeat.interval.ms", "coordinator.query.interval.ms", "max.poll.interval.ms",
        "enable.auto.commit", "auto.commit.interval.ms", "enable.auto.offset.store", "auto.offset.reset",
        "isolation.level", "enable.partition.eof", "check.crcs", "fetch.min.bytes", "fetch.max.bytes",
        "fetch.wait.max.ms", "fetch.message.max.bytes", "max.partition.fetch.bytes", "fetch.error.backoff.ms",
        "queued.min.messages", "queued.max.messages.kbytes", "consume.callback.max.messages",
        // Producer
        "acks", "request.required.acks", "enable.idempotence", "enable.gapless.guarantee", "transactional.id",
        "transaction.timeout.ms", "linger.ms", "queue.buffering.max.ms", "queue.buffering.max.messages",
        "queue.buffering.max.kbytes", "queue.buffering.backpressure.threshold", "batch.num.messages", "batch.size",
        "compression.type", "compression.codec", "compression.level", "message.timeout.ms", "delivery.timeout.ms",
        "request.timeout.ms", "retries", "message.send.max.retries", "partitioner", "sticky.partitioning.linger.ms",
        "delivery.report.only.error",
    ]

    /// Whether a property's value must not be logged: every key that is not in ``publicKeys``.
    public static func isSecret(_ key: String) -> Bool { !publicKeys.contains(key) }
}
