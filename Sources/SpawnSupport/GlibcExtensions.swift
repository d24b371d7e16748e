import CProcessControl

#if canImport(Glibc)
import Glibc
#endif

/// glibc's `_np` spawn extensions, `pipe2` and `pthread_setname_np`, which Swift's Glibc
/// module does not import (they sit behind `__USE_GNU`), here only, for the executor, the
/// exec guard, the test harness and anything else that spawns. The spawn extensions are
/// linked directly (declared in `CProcessControl`: the static exec guard has no dynamic
/// symbols to look up); the others are looked up once with `dlsym`.
public enum GlibcExtensions {
    /// `pipe2`.
    public typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    /// `pthread_setname_np`.
    public typealias SetThreadName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32

    /// Closes every descriptor from `from` on in the child
    /// (`posix_spawn_file_actions_addclosefrom_np`). Returns 0 or an errno.
    @discardableResult
    public static func closeFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32 {
        etcron_spawn_add_close_from(actions, from)
    }

    /// Changes the child's working directory (`posix_spawn_file_actions_addchdir_np`).
    /// Returns 0 or an errno.
    public static func changeDirectory(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ path: UnsafePointer<CChar>) -> Int32 {
        etcron_spawn_add_chdir(actions, path)
    }
    /// A pipe whose ends get flags atomically; nil where glibc lacks it.
    public static let pipe2: Pipe2? = symbol("pipe2")
    /// Names a thread (shown in /proc/<pid>/task/*/comm); nil where glibc lacks it.
    public static let setThreadName: SetThreadName? = symbol("pthread_setname_np")

    private static func symbol<Function>(_ name: String) -> Function? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }
}
