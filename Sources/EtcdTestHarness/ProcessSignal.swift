#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX signal, named so tests need not import Glibc to send one.
public struct ProcessSignal: Hashable, Sendable, CustomStringConvertible {
    /// The signal number, e.g. 9 for SIGKILL.
    public let rawValue: Int32

    /// Wraps a raw signal number.
    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// SIGKILL: ends the process at once; cannot be caught.
    public static let kill = ProcessSignal(rawValue: SIGKILL)
    /// SIGTERM: asks the process to shut down (etcd shuts down gracefully).
    public static let terminate = ProcessSignal(rawValue: SIGTERM)
    /// SIGINT: what Ctrl-C sends.
    public static let interrupt = ProcessSignal(rawValue: SIGINT)
    /// SIGSTOP: freezes the process (it stays alive, holds its ports, answers nothing).
    public static let stop = ProcessSignal(rawValue: SIGSTOP)
    /// SIGCONT: resumes a process frozen by SIGSTOP.
    public static let `continue` = ProcessSignal(rawValue: SIGCONT)
    /// SIGHUP.
    public static let hangup = ProcessSignal(rawValue: SIGHUP)
    /// SIGQUIT (a Go program such as etcd dumps its goroutines and exits).
    public static let quit = ProcessSignal(rawValue: SIGQUIT)

    /// Whether the default disposition of this signal leaves the process alive, so that
    /// nobody should wait for it to exit after sending it.
    var leavesProcessAlive: Bool {
        [SIGSTOP, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH, SIGCHLD, SIGURG].contains(rawValue)
    }

    /// The conventional name and the number, e.g. `SIGKILL (9)`.
    public var description: String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL",
            SIGTRAP: "SIGTRAP", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE",
            SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1", SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2",
            SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM", SIGCHLD: "SIGCHLD",
            SIGCONT: "SIGCONT", SIGSTOP: "SIGSTOP", SIGTSTP: "SIGTSTP", SIGTTIN: "SIGTTIN",
            SIGTTOU: "SIGTTOU", SIGURG: "SIGURG", SIGWINCH: "SIGWINCH",
        ]
        return "\(names[rawValue] ?? "signal") (\(rawValue))"
    }
}

/// How a child process ended.
public enum ExitStatus: Hashable, Sendable, CustomStringConvertible {
    /// The process called `exit` with this code.
    case exited(code: Int32)
    /// The process was ended by this signal.
    case signaled(ProcessSignal)

    /// True for `exit(0)`.
    public var isSuccess: Bool { self == .exited(code: 0) }

    /// `exit code 1` or `killed by SIGKILL (9)`.
    public var description: String {
        switch self {
        case .exited(let code): "exit code \(code)"
        case .signaled(let signal): "killed by \(signal)"
        }
    }

    /// Decodes a `waitpid` status word.
    init(waitStatus status: Int32) {
        // The WIFEXITED/WEXITSTATUS/WTERMSIG macros are not imported into Swift.
        let termSignal = status & 0x7F
        if termSignal == 0 {
            self = .exited(code: (status >> 8) & 0xFF)
        } else {
            self = .signaled(ProcessSignal(rawValue: termSignal))
        }
    }
}
