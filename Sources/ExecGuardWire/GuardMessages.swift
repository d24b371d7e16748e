/// What an executor asks of its exec guard (`etcron-exec-guard --supervise`), over the
/// socket it started the guard with.
///
/// A frame is a 4-byte little-endian length and that many bytes: a kind byte, then the
/// kind's fields. A `start` frame carries one descriptor (SCM_RIGHTS) with it: the write
/// end of the pipe the target's standard output and error go to.
public enum GuardRequest: Sendable, Equatable {
    /// Start `path` with `argv` (argv[0] included) and exactly `environment`
    /// (`KEY=value`), in `directory`, as the leader of a new process group; the run is
    /// known as `id` from then on.
    case start(id: UInt64, path: String, argv: [String], environment: [String], directory: String)
    /// Send `signal` to the process group of run `run`, if its leader is not yet reaped;
    /// answered with ``GuardEvent/signalled(request:sent:)`` for `request`.
    case signal(request: UInt64, run: UInt64, signal: Int32)

    private enum Kind: UInt8 {
        case start = 1
        case signal = 2
    }

    /// The frame (length included).
    public var frame: [UInt8] {
        var writer = WireWriter()
        switch self {
        case .start(let id, let path, let argv, let environment, let directory):
            writer.integer(Kind.start.rawValue)
            writer.integer(id)
            writer.string(path)
            writer.strings(argv)
            writer.strings(environment)
            writer.string(directory)
        case .signal(let request, let run, let signal):
            writer.integer(Kind.signal.rawValue)
            writer.integer(request)
            writer.integer(run)
            writer.integer(signal)
        }
        return Frame.wrap(writer.bytes)
    }

    /// Decodes a frame's body.
    public init(body: ArraySlice<UInt8>) throws(WireError) {
        var reader = WireReader(body)
        let kind = try reader.integer(UInt8.self, "kind")
        switch Kind(rawValue: kind) {
        case .start:
            self = .start(
                id: try reader.integer(UInt64.self, "id"), path: try reader.string("path"), argv: try reader.strings("argv"),
                environment: try reader.strings("environment"), directory: try reader.string("directory"))
        case .signal:
            self = .signal(
                request: try reader.integer(UInt64.self, "request"), run: try reader.integer(UInt64.self, "run"),
                signal: try reader.integer(Int32.self, "signal"))
        case nil:
            throw WireError("kind: \(kind) is not a request")
        }
        guard reader.isAtEnd else { throw WireError("request: bytes left after its last field") }
    }
}

/// What an exec guard tells its executor.
public enum GuardEvent: Sendable, Equatable {
    /// Run `id` started as `pid` (the leader of process group `pid`).
    case started(id: UInt64, pid: Int32)
    /// Run `id` did not start: `what` failed with `errno`.
    case failed(id: UInt64, errno: Int32, what: String)
    /// Run `id`'s leader ended with wait status `status`; what it left in its group was
    /// killed before it was reaped.
    case exited(id: UInt64, status: Int32)
    /// Whether the signal of `request` was sent (false: the run had already ended).
    case signalled(request: UInt64, sent: Bool)
    /// The guard cannot go on (its last message).
    case fatal(String)

    private enum Kind: UInt8 {
        case started = 1
        case failed = 2
        case exited = 3
        case signalled = 4
        case fatal = 5
    }

    /// The frame (length included).
    public var frame: [UInt8] {
        var writer = WireWriter()
        switch self {
        case .started(let id, let pid):
            writer.integer(Kind.started.rawValue)
            writer.integer(id)
            writer.integer(pid)
        case .failed(let id, let errno, let what):
            writer.integer(Kind.failed.rawValue)
            writer.integer(id)
            writer.integer(errno)
            writer.string(what)
        case .exited(let id, let status):
            writer.integer(Kind.exited.rawValue)
            writer.integer(id)
            writer.integer(status)
        case .signalled(let request, let sent):
            writer.integer(Kind.signalled.rawValue)
            writer.integer(request)
            writer.integer(UInt8(sent ? 1 : 0))
        case .fatal(let text):
            writer.integer(Kind.fatal.rawValue)
            writer.string(text)
        }
        return Frame.wrap(writer.bytes)
    }

    /// Decodes a frame's body.
    public init(body: ArraySlice<UInt8>) throws(WireError) {
        var reader = WireReader(body)
        let kind = try reader.integer(UInt8.self, "kind")
        switch Kind(rawValue: kind) {
        case .started: self = .started(id: try reader.integer(UInt64.self, "id"), pid: try reader.integer(Int32.self, "pid"))
        case .failed:
            self = .failed(id: try reader.integer(UInt64.self, "id"), errno: try reader.integer(Int32.self, "errno"), what: try reader.string("what"))
        case .exited: self = .exited(id: try reader.integer(UInt64.self, "id"), status: try reader.integer(Int32.self, "status"))
        case .signalled:
            let request = try reader.integer(UInt64.self, "request")
            let sent = try reader.integer(UInt8.self, "sent")
            guard sent <= 1 else { throw WireError("sent: \(sent) is not 0 or 1") }
            self = .signalled(request: request, sent: sent == 1)
        case .fatal: self = .fatal(try reader.string("text"))
        case nil: throw WireError("kind: \(kind) is not an event")
        }
        guard reader.isAtEnd else { throw WireError("event: bytes left after its last field") }
    }
}
