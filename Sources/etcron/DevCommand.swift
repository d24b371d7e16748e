import ArgumentParser
import EtcdClient
import EtcdTestHarness
import EtcronCLI
import EtcronCore
import EtcronExecutor
import EtcronProto
import EtcronReplica
import EtcronScheduler
import Foundation
import UnixSignals

/// `etcron dev`: a local etcd that etcron starts itself, plus replicas, for trying etcron
/// on one machine. Ctrl-C stops everything and removes the data.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run a local etcd and several replicas; Ctrl-C stops them all."
    )

    @Option(help: "How many replicas to start.")
    var replicas: Int = 3

    @Option(name: .customLong("lease-ttl"), help: "Session lease TTL of the replicas, in seconds.")
    var leaseTTL: Int = 5

    func validate() throws {
        guard (1...9).contains(replicas) else { throw ValidationError("--replicas: must be from 1 to 9") }
        guard (1...60).contains(leaseTTL) else { throw ValidationError("--lease-ttl: must be from 1 to 60 seconds") }
    }

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        say("etcron dev: starting a local etcd ...")
        let cluster = try await EtcdCluster.start(members: 1)
        var processes: [ManagedProcess] = []
        do {
            let endpoints = cluster.clientEndpoints.joined(separator: ",")
            say("etcron dev: etcd listening on \(endpoints) (data in \(cluster.rootDirectory))")
            let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            let tokens = try DevTokens.write(into: cluster.rootDirectory)
            var ports: [Int] = []
            for index in 1...replicas {
                let port = try LoopbackPorts.allocate()
                let process = try await ManagedProcess.start(
                    executable,
                    arguments: [
                        "operator", "--etcd-endpoints", endpoints, "--replica-id", "dev-\(index)",
                        "--http-listen", "127.0.0.1:\(port)", "--lease-ttl", String(leaseTTL),
                        "--api-tokens-file", tokens.file,
                    ],
                    logFile: cluster.rootDirectory + "/replica-\(index).log")
                processes.append(process)
                ports.append(port)
                say("etcron dev: replica dev-\(index): http://127.0.0.1:\(port) (/metrics, /readyz), log \(cluster.rootDirectory)/replica-\(index).log")
            }
            // The dashboard's address is printed only once every replica serves it: a
            // browser or curl started on that line must not meet a refused connection.
            try await Self.waitUntilReady(processes, ports: ports)
            let firstPort = ports[0]
            say("""
                etcron dev: dashboard: http://127.0.0.1:\(firstPort)/ (any replica serves it): sign in with \(tokens.demo) \
                (tenant demo, editor) or \(tokens.admin) (admin, every tenant)
                etcron dev: API tokens (file \(tokens.file)): admin \(tokens.admin), tenant demo (editor) \(tokens.demo)
                etcron dev: try `curl -H 'Authorization: Bearer \(tokens.admin)' http://127.0.0.1:\(firstPort)/v1/cluster`
                etcron dev: or, as tenant demo: `ETCRON_SERVER=http://127.0.0.1:\(firstPort) ETCRON_TOKEN=\(tokens.demo) \(executable) trigger demo/hello --wait`
                etcron dev: try `\(executable) status --etcd-endpoints \(endpoints)`, or kill the leader \
                (kill -TERM or -KILL its pid) and watch another take over. Ctrl-C stops everything.
                """)
            let client = try EtcdClient(configuration: EtcdClientConfiguration(endpoints: cluster.clientEndpoints))
            try await Self.applyDemoJobs(client)
            let watcher = Task { try await Self.printLeaderChanges(client) }
            for await _ in signals { break }
            watcher.cancel()
            await client.close()
        } catch {
            for process in processes { await process.kill() }
            await cluster.shutdown()
            throw error
        }
        say("\netcron dev: stopping replicas and etcd ...")
        for process in processes { try? process.send(.terminate) }
        for process in processes { _ = try? await process.waitForExit(timeout: .seconds(5)) }
        for process in processes { await process.kill() }
        await cluster.shutdown()
    }

    /// Waits until every replica answers 200 on `/readyz` (its HTTP server listens and it
    /// holds an etcd session). Throws, with the replica's log, when one exits first or is
    /// not ready within a minute.
    private static func waitUntilReady(_ processes: [ManagedProcess], ports: [Int]) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        for (index, (process, port)) in zip(processes, ports).enumerated() {
            while true {
                if let response = try? await HealthProbe.get(port: port, path: "/readyz", timeout: .milliseconds(500)),
                   response.status == 200 {
                    break
                }
                guard process.isRunning else {
                    throw UsageFailure(message: "dev: replica dev-\(index + 1) exited while starting:\n\(process.tail())")
                }
                guard ContinuousClock.now < deadline else {
                    throw UsageFailure(message: "dev: replica dev-\(index + 1) was not ready on http://127.0.0.1:\(port)/readyz within 60 s:\n\(process.tail())")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        say("etcron dev: all \(processes.count) replicas are ready")
    }

    /// Three demo jobs through the real store: one every 10 seconds that succeeds, one every
    /// 10 seconds that runs 25 s, so Forbid skips the times it is still running, and one
    /// every 15 seconds that fails. Try `etcron why demo/slow-report` against them; the
    /// dashboards and alerts have something of each kind to show.
    private static func applyDemoJobs(_ client: EtcdClient) async throws {
        var hello = Etcron_V1_JobSpec()
        hello.tenant = "demo"
        hello.name = "hello"
        hello.schedule = "*/10 * * * * *"
        hello.description_p = "prints its run ID every 10 seconds"
        hello.target.exec.command = "/bin/sh"
        hello.target.exec.args = ["-c", "echo \"hello from $ETCRON_RUN_ID, scheduled $ETCRON_SCHEDULED_TIME\""]
        var slow = Etcron_V1_JobSpec()
        slow.tenant = "demo"
        slow.name = "slow-report"
        slow.schedule = "*/10 * * * * *"
        slow.concurrencyPolicy = .forbid
        slow.description_p = "runs 25 s every 10 seconds, so Forbid skips the times it is still running"
        slow.target.exec.command = "/bin/sleep"
        slow.target.exec.args = ["25"]
        var flaky = Etcron_V1_JobSpec()
        flaky.tenant = "demo"
        flaky.name = "flaky"
        flaky.schedule = "*/15 * * * * *"
        flaky.description_p = "fails every time, for the failure panels and alerts"
        flaky.target.exec.command = "/bin/sh"
        flaky.target.exec.args = ["-c", "echo 'simulated failure: the demo backend is down' >&2; exit 1"]
        let store = JobStore(client: client, keys: JobKeys(ReplicaKeys(prefix: "/etcron/")))
        do {
            for result in try await store.apply([hello, slow, flaky]) {
                say("etcron dev: demo job \(result)")
            }
        } catch {
            throw UsageFailure(message: "dev: the demo jobs were refused: \(error)")
        }
    }

    /// Prints the group's status whenever the leader or the membership changes.
    private static func printLeaderChanges(_ client: EtcdClient) async throws {
        let keys = ReplicaKeys(prefix: "/etcron/")
        var lastLeader: String??
        var lastMembers = -1
        let start = try await client.range(.key(keys.prefix)).header.revision
        for try await response in client.watch(.prefix(keys.prefix), options: WatchOptions(startRevision: start)) {
            guard response.events.contains(where: { !$0.kv.keyString.hasPrefix(keys.leaderHeartbeat) }) else { continue }
            let status = try await ClusterStatus.read(client: client, keys: keys)
            let leader = status.leader?.replicaID
            if lastLeader == nil || lastLeader! != leader || status.members.count != lastMembers {
                lastLeader = .some(leader)
                lastMembers = status.members.count
                let names = status.members.map { "\($0.replicaID)(\($0.role))" }.sorted().joined(separator: " ")
                say("etcron dev: leader \(leader ?? "none") token \(status.leader?.fencingToken ?? 0); replicas: \(names)")
            }
        }
    }
}

/// Writes a progress line unbuffered, so it shows up at once also when piped to a file.
private func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
