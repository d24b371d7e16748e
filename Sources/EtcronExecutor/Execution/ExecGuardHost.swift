import Logging
import Synchronization

/// The replica's exec guard: started with the first exec run, started again after it
/// ends, and ended with this host (when the replica's target settings go away).
final class ExecGuardHost: Sendable {
    let launcher: ExecGuard.Launcher
    private let current = Mutex<GuardConnection?>(nil)
    private let logger: Logger

    init(launcher: ExecGuard.Launcher, logger: Logger = Logger(label: "etcron.exec-guard")) {
        self.launcher = launcher
        self.logger = logger
    }

    deinit {
        current.withLock { $0?.shutDown() }
    }

    /// The running guard, started if there is none (or the last one ended).
    func connection() -> Result<GuardConnection, ExecStartFailure> {
        current.withLock { current in
            if let running = current, !running.hasEnded { return .success(running) }
            let launched = GuardConnection.launch(launcher, logger: logger)
            if case .success(let connection) = launched { current = connection }
            return launched
        }
    }

    /// Starts a target through the guard (see ``GuardConnection/start``).
    func start(
        path: String, argv: [String], environment: [String], directory: String, outputLimit: Int, drainWindow: Duration
    ) async -> Result<GuardedChild, ExecStartFailure> {
        switch connection() {
        case .success(let connection):
            return await connection.start(
                path: path, argv: argv, environment: environment, directory: directory, outputLimit: outputLimit,
                drainWindow: drainWindow)
        case .failure(let failure):
            return .failure(failure)
        }
    }
}
