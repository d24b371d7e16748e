// etcron-exec-guard --parent-pid PID [--run-as UID:GID] -- PATH ARGV0 [ARGS...]
//
// Keeps an exec target from outliving its executor (see `ExecGuard` in EtcronScheduler).
// An executor starts each target through this small program, as the leader of the run's
// process group. It starts the target in that group and waits for it:
//
// - Linux's parent-death signal (PR_SET_PDEATHSIG, here SIGUSR2) says that the parent
//   thread ended; if `getppid()` then shows that the executor process is gone (SIGKILL,
//   the OOM killer), the guard kills the whole group with SIGKILL, itself included. A
//   parent thread that ended while its process lives on changes nothing.
// - It ignores SIGTERM, which the executor sends to the group to stop a run, so it keeps
//   waiting while the target shuts down; the executor's SIGKILL after its grace ends both.
// - It ends the way the target ended (exit status or signal), so the executor sees what
//   it would have seen without it.
//
// - With --run-as, it drops to that user and group (no supplementary groups) before it
//   starts the target, and refuses to start it if it cannot: the operator setting
//   `exec-user`, so a tenant's command cannot read the replica's credentials.
//
// It imports only Glibc (and prctl through a header) and is linked as a static
// executable, so it starts in under a millisecond.
import CProcessControl
import SpawnSupport

#if canImport(Glibc)
import Glibc
#endif

nonisolated(unsafe) var executorPID: pid_t = 0

func fail(_ message: String) -> Never {
    let text = "etcron-exec-guard: \(message)\n"
    _ = text.withCString { write(2, $0, strlen($0)) }
    exit(127)
}

var arguments = CommandLine.arguments
var runAs: (uid: uid_t, gid: gid_t)?
if arguments.count >= 5, arguments[3] == "--run-as" {
    let parts = arguments[4].split(separator: ":")
    guard parts.count == 2, let uid = UInt32(parts[0]), let gid = UInt32(parts[1]) else { fail("--run-as must be UID:GID, not \(arguments[4])") }
    runAs = (uid, gid)
    arguments.removeSubrange(3...4)
}
guard arguments.count >= 6, arguments[1] == "--parent-pid", let parent = Int32(arguments[2]), parent > 1, arguments[3] == "--",
    arguments[4].hasPrefix("/")
else {
    fail("usage: etcron-exec-guard --parent-pid PID [--run-as UID:GID] -- /ABSOLUTE/PATH ARGV0 [ARGS...] (started by etcron's executor)")
}
executorPID = parent
let path = arguments[4]
let argv = Array(arguments[5...])

// Before the parent-death signal is armed: changing credentials clears it.
if let runAs {
    // Groups first: after setuid the guard could no longer change them.
    guard setgroups(0, nil) == 0, setgid(runAs.gid) == 0, setuid(runAs.uid) == 0, getuid() == runAs.uid, geteuid() == runAs.uid else {
        fail("cannot run as \(runAs.uid):\(runAs.gid): \(String(cString: strerror(errno)))")
    }
}

signal(SIGTERM, SIG_IGN)
var action = sigaction()
action.__sigaction_handler.sa_handler = { _ in
    // Async-signal-safe: getppid and kill only.
    if getppid() != executorPID { kill(0, SIGKILL) }
}
sigemptyset(&action.sa_mask)
sigaction(SIGUSR2, &action, nil)
guard etcron_set_parent_death_signal(SIGUSR2) == 0 else {
    fail("cannot arm the parent-death signal: \(String(cString: strerror(errno)))")
}
// The executor may have died before the signal was armed.
if getppid() != parent { kill(0, SIGKILL) }

let child: pid_t
switch CleanSpawn.spawn(path: path, argv: argv, environment: nil, actions: nil, newProcessGroup: false) {
case .success(let pid): child = pid
case .failure(let error): fail("cannot start \(path): \(String(cString: strerror(error.number)))")
}

var status: Int32 = 0
var reaped: pid_t
repeat {
    reaped = waitpid(child, &status, 0)
} while reaped == -1 && errno == EINTR
guard reaped == child else { fail("cannot wait for \(path): \(String(cString: strerror(errno)))") }
let number = status & 0x7F
if number == 0 { exit((status >> 8) & 0xFF) }
// Die of the same signal, without a core file of the guard's own.
var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
setrlimit(Int32(RLIMIT_CORE.rawValue), &noCore)
signal(number, SIG_DFL)
var unblock = sigset_t()
sigemptyset(&unblock)
sigaddset(&unblock, number)
sigprocmask(SIG_UNBLOCK, &unblock, nil)
raise(number)
exit(128 + number)
