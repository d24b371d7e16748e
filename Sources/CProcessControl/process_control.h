// prctl(2) takes variadic arguments, which Swift cannot call: these wrappers are
// compiled by the Clang importer into the caller (nothing to link).
#include <sys/prctl.h>

/// Asks the kernel to send `signal` to this process when the thread that started it ends
/// (PR_SET_PDEATHSIG). Returns 0, or -1 with errno set.
static inline int etcron_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL);
}

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
