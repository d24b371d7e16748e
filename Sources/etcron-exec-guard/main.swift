// etcron-exec-guard --supervise [--run-as UID:GID]
//
// Keeps exec targets from outliving their executor (see `ExecGuard` in EtcronExecutor).
// A replica's executor starts one guard, with its end of a Unix stream socket as
// descriptor 3, and asks it over that socket to start each exec target (see
// `GuardRequest` in ExecGuardWire). The guard starts each as the leader of a new process
// group and tells the executor its pid, its exit and what became of the signals it was
// asked to send (see `GuardLoop`):
//
// - When the leader exits, the guard kills whatever the command left running in its group
//   while the leader is still an unreaped zombie (so the group id cannot have been reused),
//   then reaps it: nothing a run started outlives the run.
// - When the executor process dies, however it dies (SIGKILL, the OOM killer), the kernel
//   closes its end of the socket; the guard kills every group it still runs and exits.
// - It ignores SIGTERM, SIGINT and SIGHUP (it has its own process group as well): only the
//   executor, by closing the socket, ends it.
//
// - With --run-as, it drops to that user and group (no supplementary groups) before it
//   serves anything, and refuses to serve if it cannot: the operator setting `exec-user`,
//   so a tenant's command cannot read the replica's credentials.
//
// It imports only Glibc (and helpers through a header) and is linked as a static
// executable: it starts in about a millisecond, once per replica and not once per run.
import CProcessControl
import ExecGuardWire
import SpawnSupport

#if canImport(Glibc)
import Glibc
#endif

/// The executor's socket: descriptor 3, as the executor spawns the guard.
let executorSocket: Int32 = 3

/// Whether descriptor 3 was found open: only then is a fatal error also told over it.
nonisolated(unsafe) var socketChecked = false

func fail(_ message: String) -> Never {
    if socketChecked { _ = GuardSocket.send(executorSocket, GuardEvent.fatal(message).frame) }
    let text = "etcron-exec-guard: \(message)\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    exit(127)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard arguments.first == "--supervise" else {
    fail("usage: etcron-exec-guard --supervise [--run-as UID:GID], with the executor's socket as descriptor 3 (started by etcron's executor)")
}
arguments.removeFirst()
var runAs: (uid: uid_t, gid: gid_t)?
if !arguments.isEmpty {
    guard arguments.count == 2, arguments[0] == "--run-as" else { fail("unexpected arguments: \(arguments.joined(separator: " "))") }
    let parts = arguments[1].split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, let uid = UInt32(parts[0]), let gid = UInt32(parts[1]) else { fail("--run-as must be UID:GID, not \(arguments[1])") }
    runAs = (uid, gid)
}
guard fcntl(executorSocket, F_GETFD) >= 0 else { fail("descriptor 3 is not open: the guard is started by etcron's executor, with its socket there") }
socketChecked = true
if let (uid, gid) = runAs {
    // Groups first: after setuid the guard could no longer change them.
    guard setgroups(0, nil) == 0, setgid(gid) == 0, setuid(uid) == 0, getuid() == uid, geteuid() == uid else {
        fail("cannot run as \(uid):\(gid): \(String(cString: strerror(errno)))")
    }
}
_ = fcntl(executorSocket, F_SETFD, FD_CLOEXEC)
signal(SIGPIPE, SIG_IGN)
signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
signal(SIGHUP, SIG_IGN)
// What targets must not inherit: every signal ignored here (exec resets handled ones).
let ignoredSignals = (1..<Int32(NSIG)).filter { number in
    var action = sigaction()
    guard sigaction(number, nil, &action) == 0 else { return false }
    return unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
}
let children = etcron_child_signalfd()
guard children >= 0 else { fail("cannot watch for child exits (signalfd): \(String(cString: strerror(errno)))") }
var loop = GuardLoop(socket: executorSocket, childSignals: children, ignoredSignals: ignoredSignals)
loop.run()
