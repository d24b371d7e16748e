import Logging
import Synchronization

/// Installs the process-wide log handler for `format` at `level`: `JSONLogHandler` lines
/// or swift-log's `StreamLogHandler.standardError`, both on stderr.
///
/// swift-log allows `LoggingSystem.bootstrap` once per process (a second call traps), so
/// only the first call here installs anything; later calls change nothing.
///
/// - Returns: whether this call installed the handler.
@discardableResult
public func bootstrapLogging(format: LogFormat, level: Logger.Level) -> Bool {
    let first = loggingBootstrapped.withLock { done in
        defer { done = true }
        return !done
    }
    guard first else { return false }
    LoggingSystem.bootstrap(makeLogHandlerFactory(format: format, level: level), metadataProvider: nil)
    return true
}

/// The handler factory `bootstrapLogging(format:level:)` installs, exposed so tests (and
/// a process that bootstraps logging itself) can build the same handlers.
public func makeLogHandlerFactory(
    format: LogFormat,
    level: Logger.Level
) -> @Sendable (String, Logger.MetadataProvider?) -> any LogHandler {
    { label, metadataProvider in
        var handler: any LogHandler
        switch format {
        case .text: handler = StreamLogHandler.standardError(label: label, metadataProvider: metadataProvider)
        case .json: handler = JSONLogHandler(label: label, metadataProvider: metadataProvider)
        }
        handler.logLevel = level
        return handler
    }
}

/// Whether `bootstrapLogging` has run in this process.
private let loggingBootstrapped = Mutex(false)
