// What Swift cannot call directly (system calls without a glibc wrapper, the socket and
// signal macros, declarations behind _GNU_SOURCE): these wrappers are compiled by the
// Clang importer into the caller (nothing to link).

#include <errno.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/// A pidfd for child `pid` (pidfd_open(2), Linux 5.3): readable once the process has
/// exited, while it is still unreaped. Close-on-exec. Returns the descriptor, or -1 with
/// errno set (ENOSYS where the kernel or a seccomp filter does not have it).
static inline int etcron_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0U);
#else
    errno = ENOSYS;
    return -1;
#endif
}

#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>

/// An eventfd (eventfd(2)), close-on-exec: a counter one thread writes to wake another's
/// poll. Returns the descriptor, or -1 with errno set.
static inline int etcron_eventfd(void) {
    return eventfd(0, EFD_CLOEXEC);
}

/// Blocks SIGCHLD and returns a non-blocking, close-on-exec signalfd(2) that becomes
/// readable when one arrives; -1 with errno set.
static inline int etcron_child_signalfd(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

#include "spawn_extensions.h"
