import Foundation
import Logging

/// Lays out, starts and health-checks the members of a new cluster, retrying with fresh
/// ports when a port was taken between allocation and etcd's bind.
struct EtcdLauncher {
    let configuration: EtcdClusterConfiguration
    let etcdPath: String
    let rootDirectory: String
    let certificates: TLSCertificates?
    /// Unique per cluster, so a member can never join a stranger's cluster that happens to
    /// reuse a port.
    let clusterToken = "etcron-test-\(UUID().uuidString.prefix(8).lowercased())"

    /// Starts every member and waits until all are healthy; returns them running.
    func launch() async throws -> [EtcdMember] {
        let attempts = max(configuration.startAttempts, 1)
        for attempt in 1...attempts {
            let members = try makeMembers()
            do {
                let deadline = ContinuousClock.now + configuration.startTimeout
                for member in members {
                    try await member.process.start()
                    if member.index < members.count - 1 {
                        try await member.waitUntilServing(until: deadline)
                    }
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for member in members {
                        group.addTask { try await member.waitUntilHealthy(until: deadline) }
                    }
                    try await group.waitForAll()
                }
                return members
            } catch let error as HarnessError where error.code == .addressInUse && attempt < attempts {
                configuration.logger.warning(
                    "etcd could not bind a port (address already in use); retrying with fresh ports",
                    metadata: ["attempt": "\(attempt) of \(attempts)", "error": "\(error.message.prefix { $0 != "\n" })"]
                )
                for member in members {
                    await member.process.kill()
                    HarnessDirectory.remove(memberDirectory(member.index))
                }
            } catch {
                for member in members {
                    await member.process.kill()
                }
                throw error
            }
        }
        preconditionFailure("the last attempt either returns or throws")
    }

    private func memberDirectory(_ index: Int) -> String {
        "\(rootDirectory)/m\(index)"
    }

    private func makeMembers() throws -> [EtcdMember] {
        let count = configuration.members
        let ports = try LoopbackPorts.allocate(count: 3 * count)
        let scheme = configuration.tls.isEnabled ? "https" : "http"
        let peerURLs = (0..<count).map { "m\($0)=http://127.0.0.1:\(ports[3 * $0 + 1])" }
        // Inherited ETCD_* variables are read by etcd as flags; keep them out.
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ETCD_") }
        return try (0..<count).map { index in
            let directory = memberDirectory(index)
            try HarnessDirectory.create(directory)
            let name = "m\(index)"
            let (client, peer, metrics) = (ports[3 * index], ports[3 * index + 1], ports[3 * index + 2])
            let clientURL = "\(scheme)://127.0.0.1:\(client)"
            let peerURL = "http://127.0.0.1:\(peer)"
            var arguments = [
                "--name", name,
                "--data-dir", "\(directory)/data",
                "--listen-client-urls", ([clientURL] + configuration.extraClientHosts.map { "\(scheme)://\($0):\(client)" })
                    .joined(separator: ","),
                "--advertise-client-urls", clientURL,
                "--listen-peer-urls", peerURL,
                "--initial-advertise-peer-urls", peerURL,
                "--initial-cluster", peerURLs.joined(separator: ","),
                "--initial-cluster-state", "new",
                "--initial-cluster-token", clusterToken,
                "--listen-metrics-urls", "http://127.0.0.1:\(metrics)",
                "--heartbeat-interval", "\(configuration.effectiveHeartbeat.wholeMilliseconds)",
                "--election-timeout", "\(configuration.effectiveElectionTimeout.wholeMilliseconds)",
                "--pre-vote=\(configuration.preVote)",
                "--logger", "zap",
                "--log-outputs", "stderr",
            ]
            if let certificates {
                arguments += ["--cert-file", certificates.serverCertificate, "--key-file", certificates.serverKey]
                if configuration.tls == .mutualTLS {
                    arguments += ["--client-cert-auth", "--trusted-ca-file", certificates.caCertificate]
                }
            }
            arguments += configuration.extraArguments
            let logFile = "\(directory)/etcd.log"
            let command = ManagedProcess.Command(executable: etcdPath, arguments: arguments, logFile: logFile)
            let request = SpawnRequest(
                executable: etcdPath, arguments: arguments, environment: environment,
                standardOutput: logFile
            )
            let process = ManagedProcess(command: command, request: request, logger: configuration.logger)
            return EtcdMember(
                index: index, name: name, clientPort: client, peerPort: peer, metricsPort: metrics,
                clientScheme: scheme, dataDirectory: "\(directory)/data", logFile: logFile, process: process
            )
        }
    }
}

extension EtcdMember {
    /// Waits until the member's HTTP listeners answer at all (any status), i.e. until it
    /// serves peer traffic too.
    ///
    /// Members of a new cluster are started one after the other for this reason: a new
    /// member first asks every peer whether it was already bootstrapped, with a 1 s
    /// timeout per peer, and a peer whose listener is open but not yet serving makes it
    /// wait out that timeout. Staggered, each member finds earlier peers serving and later
    /// ones not listening (refused at once), and 3 members are healthy in about 0.4 s
    /// instead of 1-2.5 s.
    func waitUntilServing(until deadline: ContinuousClock.Instant) async throws {
        while true {
            if process.exitStatus != nil {
                // waitUntilHealthy reports the exit with the right code and log tail.
                return try await waitUntilHealthy(until: deadline)
            }
            let remaining = deadline - ContinuousClock.now
            if remaining <= .zero {
                return try await waitUntilHealthy(until: deadline)
            }
            if (try? await HealthProbe.get(port: metricsPort, path: "/health", timeout: min(remaining, .milliseconds(500)))) != nil {
                return
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Polls GET /health until it answers `{"health":"true"}`.
    ///
    /// Throws `processExited` (or `addressInUse` when etcd could not bind) as soon as the
    /// process dies, and `unhealthy` at the deadline; both carry the log tail.
    func waitUntilHealthy(until deadline: ContinuousClock.Instant) async throws {
        let started = ContinuousClock.now
        var lastAnswer = "no answer yet"
        while true {
            if let status = process.exitStatus {
                // etcd logs a few shutdown lines after the bind error, so look further back.
                let code: HarnessError.Code = tail(lines: 80).contains("address already in use") ? .addressInUse : .processExited
                let tail = tail(lines: 25)
                throw HarnessError(code, "etcd member \(name) (pid \(pid ?? 0), \(clientURL)) exited (\(status)) before becoming healthy; log tail:\n\(tail)")
            }
            let remaining = deadline - ContinuousClock.now
            if remaining > .zero {
                do {
                    let response = try await HealthProbe.get(port: metricsPort, path: "/health", timeout: min(remaining, .seconds(1)))
                    if response.status == 200, HealthProbe.healthField(response.body) == "true" { return }
                    lastAnswer = "\(response.status) \(response.body.trimmingCharacters(in: .whitespacesAndNewlines))"
                } catch let error as HarnessError {
                    lastAnswer = error.message
                }
            }
            if ContinuousClock.now >= deadline {
                throw HarnessError(
                    .unhealthy,
                    "etcd member \(name) (pid \(pid ?? 0), \(clientURL)) not healthy after \(ContinuousClock.now - started); last /health: \(lastAnswer); log tail:\n\(tail(lines: 25))"
                )
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
