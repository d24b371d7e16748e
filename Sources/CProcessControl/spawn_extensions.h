// posix_spawn's file actions that glibc declares only under _GNU_SOURCE.
#include <spawn.h>

// glibc 2.29 and 2.34 (Debian 12 has 2.36), declared only under _GNU_SOURCE: declared here
// so that the static exec guard links them directly (dlsym finds nothing there).
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

/// Adds a chdir(2) to `path` to the spawn's file actions.
static inline int etcron_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

/// Adds the closing of every descriptor from `from` on to the spawn's file actions.
static inline int etcron_spawn_add_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}
