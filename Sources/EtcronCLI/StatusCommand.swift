import ArgumentParser
import EtcdClient
import EtcronCore
import EtcronReplica
import Foundation

/// `etcron status`: the leader, its fencing token and term, and every live replica.
public struct StatusCommand: AsyncParsableCommand {
    /// The command, before its arguments are parsed.
    public init() {}
    public static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the leader, its fencing token and term, and every replica."
    )

    @OptionGroup var connection: ConnectionFlags

    @Option(name: [.customShort("o"), .customLong("output")], help: "table, json or yaml.")
    var output: OutputFormat = .table

    public func run() async throws {
        let status = try await withJobService(connection, command: "status") { service throws(JobStoreError) in
            try await service.clusterStatus()
        }
        if let encoded = try output.encode(status) {
            print(encoded)
            return
        }
        print(render(status))
    }

    private func render(_ status: ClusterStatus) -> String {
        var lines: [String] = []
        if let leader = status.leader {
            lines.append(table(
                ["LEADER", "FENCING TOKEN", "TERM START", "LAST HEARTBEAT"],
                [[
                    leader.replicaID, String(leader.fencingToken),
                    leader.termStartedAt.map { "\($0.formatted(.iso8601)) (\(age(since: $0)))" } ?? "-",
                    leader.lastHeartbeatAt.map { "\(age(since: $0)) ago" } ?? "-",
                ]]))
        } else {
            lines.append("LEADER  none elected")
        }
        lines.append("")
        let rows = status.members.map {
            [$0.replicaID, $0.role, $0.version, $0.address, age(since: $0.startedAt), "\(age(since: $0.lastHeartbeatAt)) ago"]
        }
        lines.append(table(["REPLICA", "ROLE", "VERSION", "ADDRESS", "AGE", "LAST HEARTBEAT"], rows))
        if !status.recentTerms.isEmpty {
            lines.append("")
            let terms = status.recentTerms.prefix(5).map {
                [$0.replicaID, String($0.fencingToken), "\($0.startedAt.formatted(.iso8601)) (\(age(since: $0.startedAt)) ago)"]
            }
            lines.append(table(["RECENT LEADER", "FENCING TOKEN", "TERM START"], Array(terms)))
        }
        return lines.joined(separator: "\n")
    }
}
