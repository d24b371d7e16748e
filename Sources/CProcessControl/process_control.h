// prctl(2) takes variadic arguments, which Swift cannot call: these wrappers are
// compiled by the Clang importer into the caller (nothing to link).
#include <sys/prctl.h>

/// Asks the kernel to send `signal` to this process when the thread that started it ends
/// (PR_SET_PDEATHSIG). Returns 0, or -1 with errno set.
static inline int etcron_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0UL, 0UL, 0UL);
}
