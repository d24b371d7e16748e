/// Finding the raft leader through each member's metrics.
extension EtcdCluster {
    /// The index of the member that is the etcd leader right now, or nil when there is no
    /// single leader (an election is under way, quorum is lost, or two members still
    /// claim leadership after a partition).
    ///
    /// Reads `etcd_server_is_leader` from every running member that is not frozen by
    /// SIGSTOP.
    public func leader() async -> Int? {
        let claims = await withTaskGroup(of: (Int, Double?).self) { group in
            for member in members where member.isRunning && !member.process.isStopped {
                group.addTask {
                    let metrics = try? await member.metrics(timeout: .milliseconds(500))
                    return (member.index, metrics?["etcd_server_is_leader"])
                }
            }
            var leaders: [Int] = []
            for await (index, isLeader) in group where isLeader == 1 {
                leaders.append(index)
            }
            return leaders
        }
        return claims.count == 1 ? claims[0] : nil
    }

    /// Waits until exactly one member leads and every other running member follows a
    /// leader (`etcd_server_has_leader`); returns the leader's index.
    ///
    /// Throws `timedOut`, naming what each member reported, after `timeout`.
    @discardableResult
    public func waitForLeader(timeout: Duration = .seconds(10)) async throws -> Int {
        try checkNotShutDown("wait for a leader")
        let deadline = ContinuousClock.now + timeout
        var lastSeen: [String] = []
        while true {
            let reports = await withTaskGroup(of: (Int, [String: Double]?).self) { group in
                for member in members where member.isRunning && !member.process.isStopped {
                    group.addTask { (member.index, try? await member.metrics(timeout: .milliseconds(500))) }
                }
                var reports: [(Int, [String: Double]?)] = []
                for await report in group { reports.append(report) }
                return reports.sorted { $0.0 < $1.0 }
            }
            let leaders = reports.filter { $0.1?["etcd_server_is_leader"] == 1 }.map(\.0)
            let allFollow = reports.allSatisfy { $0.1?["etcd_server_has_leader"] == 1 }
            if leaders.count == 1, allFollow {
                return leaders[0]
            }
            lastSeen = reports.map { index, metrics in
                guard let metrics else { return "m\(index): no metrics" }
                return "m\(index): is_leader=\(metrics["etcd_server_is_leader"] ?? -1) has_leader=\(metrics["etcd_server_has_leader"] ?? -1)"
            }
            if ContinuousClock.now >= deadline {
                throw HarnessError(.timedOut, "no single etcd leader after \(timeout): \(lastSeen.joined(separator: ", "))")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The number of leader changes each running member has seen since it started
    /// (`etcd_server_leader_changes_seen_total`), keyed by member index; a steady cluster
    /// shows 1 everywhere. Useful to prove that a test did not run during leader flapping.
    public func leaderChangesSeen() async -> [Int: Int] {
        await withTaskGroup(of: (Int, Int?).self) { group in
            for member in members where member.isRunning && !member.process.isStopped {
                group.addTask {
                    let metrics = try? await member.metrics(timeout: .seconds(1))
                    return (member.index, metrics?["etcd_server_leader_changes_seen_total"].map { Int($0) })
                }
            }
            var changes: [Int: Int] = [:]
            for await (index, count) in group {
                if let count { changes[index] = count }
            }
            return changes
        }
    }
}
