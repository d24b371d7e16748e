import Foundation
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// The API tokens in force: read from the token file at startup (a malformed file is
/// refused then, naming the entry and field) and read again whenever the file changes,
/// without a restart. A malformed change while serving is logged and counted
/// (`etcron_api_token_file_errors_total`), and the last good file stays in force.
///
/// Changes are noticed by the file's identity and modification time, checked every
/// `checkInterval`: a Kubernetes Secret mounted as a volume is updated by swapping a
/// symlink, which no notification on the file itself would report.
public final class APITokenStore: Service, Sendable {
    private struct Stamp: Equatable {
        var modified: Date?
        var size: Int?
        var inode: Int?
    }

    private struct State {
        var book: APITokenBook
        var stamp: Stamp
    }

    /// The file's path.
    public let path: String
    /// Time between checks of the file.
    public let checkInterval: Duration
    private let logger: Logger
    private let state: Mutex<State>

    /// Loads the file at `path`.
    /// - Throws: `APITokenFileError` when it cannot be read or is malformed.
    public init(path: String, checkInterval: Duration = .seconds(2), logger: Logger) throws(APITokenFileError) {
        self.path = path
        self.checkInterval = checkInterval
        self.logger = logger
        let stamp = Self.stamp(of: path)
        state = Mutex(State(book: APITokenBook(try APITokenFile.load(path: path)), stamp: stamp))
    }

    /// The tokens in force now.
    public var book: APITokenBook { state.withLock { $0.book } }

    /// Reads the file again if it changed since the last read; returns whether the tokens
    /// in force changed.
    @discardableResult
    public func reloadIfChanged() -> Bool {
        let stamp = Self.stamp(of: path)
        guard stamp != state.withLock({ $0.stamp }) else { return false }
        do {
            let tokens = try APITokenFile.load(path: path)
            state.withLock { $0 = State(book: APITokenBook(tokens), stamp: stamp) }
            logger.notice("API token file reloaded", metadata: ["path": "\(path)", "tokens": "\(tokens.count)"])
            return true
        } catch {
            // Remember the bad version, so it is reported once, not at every check.
            state.withLock { $0.stamp = stamp }
            Counter(label: "etcron_api_token_file_errors_total").increment()
            logger.error("API token file not reloaded; the last good one stays in force", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Checks the file every `checkInterval` until graceful shutdown (or cancellation).
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: self.checkInterval)
                } catch {
                    return
                }
                self.reloadIfChanged()
            }
        }
    }

    private static func stamp(of path: String) -> Stamp {
        // Follows symlinks: a Secret volume swaps the link, not the file.
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: (path as NSString).resolvingSymlinksInPath) else {
            return Stamp()
        }
        return Stamp(
            modified: attributes[.modificationDate] as? Date, size: (attributes[.size] as? NSNumber)?.intValue,
            inode: (attributes[.systemFileNumber] as? NSNumber)?.intValue)
    }
}
