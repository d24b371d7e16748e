import SpawnSupport

/// Why an exec target did not start.
enum ExecStartFailure: Error, Sendable, Equatable {
    /// Spawning it (or one of its file actions) failed.
    case spawn(TargetSpawn.Failure)
    /// The exec guard could not be started, or ended before it answered.
    case guardUnavailable(String)

    /// What the run's message says after "cannot start command ...: ".
    var text: String {
        switch self {
        case .spawn(let failure): "\(ExecutionText.errnoText(failure.errno)) (\(failure.what))"
        case .guardUnavailable(let why): why
        }
    }
}
