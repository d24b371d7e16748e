import EtcdClient
import Synchronization

/// One session's line to etcd, cut by a gameday crash: from then on every call made for
/// that session fails at once, so its work stops without writing anything more (a killed
/// process writes nothing on its way out), while the replica itself goes on to a new
/// session.
final class Severance: Sendable {
    private let cut = Mutex(false)

    /// Cuts the line.
    func sever() {
        cut.withLock { $0 = true }
    }

    /// Throws once the line is cut.
    func check() throws(EtcdError) {
        if cut.withLock({ $0 }) { throw EtcdError(.sessionLost, "this session was dropped for a gameday crash") }
    }
}
