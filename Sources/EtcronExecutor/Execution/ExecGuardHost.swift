import Logging
import Synchronization

/// The replica's exec guard and output pump: started with the first exec run (the guard
/// again after it ends), and ended with this host (when the replica's target settings go
/// away).
final class ExecGuardHost: Sendable {
    let launcher: ExecGuard.Launcher
    private let current = Mutex<(guard: GuardConnection?, pump: OutputPump?)>((nil, nil))
    private let logger: Logger

    init(launcher: ExecGuard.Launcher, logger: Logger = Logger(label: "etcron.exec-guard")) {
        self.launcher = launcher
        self.logger = logger
    }

    deinit {
        current.withLock { current in
            current.guard?.shutDown()
            current.pump?.stop()
        }
    }

    /// The running guard, started if there is none (or the last one ended).
    func connection() -> Result<GuardConnection, ExecStartFailure> {
        current.withLock { current in
            if let running = current.guard, !running.hasEnded { return .success(running) }
            if current.pump == nil { current.pump = OutputPump() }
            guard let pump = current.pump else {
                return .failure(.guardUnavailable("cannot start the output pump: the kernel refused an epoll instance or an eventfd"))
            }
            let launched = GuardConnection.launch(launcher, pump: pump, logger: logger)
            if case .success(let connection) = launched { current.guard = connection }
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
