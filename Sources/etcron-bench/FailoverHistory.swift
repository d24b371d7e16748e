import EtcdClient
import Foundation

/// The leader heartbeat key in etcd, read directly: waiting until a leadership's heartbeat
/// has landed, and every version of the key in etcd's history (a watch from revision 1
/// up to the key's latest write, read after the replicas are stopped so the history no
/// longer grows). The harness's etcd never compacts, so no version is missing.
enum FailoverHistory {
    /// The heartbeat key of the default prefix (`/etcron/`), which the replicas are
    /// started with.
    static let heartbeatKey = "/etcron/leader"

    /// Waits until the heartbeat record in etcd carries `token` (polling every 10 ms);
    /// false when it does not within `limit`.
    static func waitForHeartbeat(client: EtcdClient, token: Int64, limit: Duration, key: String = heartbeatKey) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let kv = try? await client.range(.key(key), timeout: .seconds(2)).kvs.first,
                let beat = try? FailoverHeartbeat(revision: kv.modRevision, record: kv.value),
                beat.fencingToken >= token
            {
                return true
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    /// The heartbeat writes, oldest first.
    static func read(client: EtcdClient, key: String = heartbeatKey) async throws -> [FailoverHeartbeat] {
        guard let latest = try await client.range(.key(key)).kvs.first?.modRevision else { return [] }
        var history: [FailoverHeartbeat] = []
        for try await response in client.watch(.key(key), options: WatchOptions(startRevision: 1)) {
            for event in response.events where event.kind == .put {
                do {
                    history.append(try FailoverHeartbeat(revision: event.revision, record: event.kv.value))
                } catch {
                    throw FailoverError("the heartbeat written at revision \(event.revision) does not decode: \(error)")
                }
            }
            if response.revision >= latest { break }
        }
        return history
    }
}
