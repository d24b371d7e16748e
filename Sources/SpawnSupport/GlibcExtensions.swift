#if canImport(Glibc)
import Glibc
#endif

/// glibc's `_np` spawn extensions, `pipe2` and `pthread_setname_np`, which Swift's Glibc
/// module does not import (they sit behind `__USE_GNU`); looked up once with `dlsym`, here
/// only, for the executor, the test harness and anything else that spawns.
public enum GlibcExtensions {
    /// `posix_spawn_file_actions_addclosefrom_np`.
    public typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    /// `posix_spawn_file_actions_addchdir_np`.
    public typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    /// `pipe2`.
    public typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    /// `pthread_setname_np`.
    public typealias SetThreadName = @convention(c) (pthread_t, UnsafePointer<CChar>) -> Int32

    /// Closes every descriptor from a number on in the child; nil where glibc lacks it.
    public static let closeFrom: CloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
    /// Changes the child's working directory; nil where glibc lacks it.
    public static let changeDirectory: ChangeDirectory? = symbol("posix_spawn_file_actions_addchdir_np")
    /// A pipe whose ends get flags atomically; nil where glibc lacks it.
    public static let pipe2: Pipe2? = symbol("pipe2")
    /// Names a thread (shown in /proc/<pid>/task/*/comm); nil where glibc lacks it.
    public static let setThreadName: SetThreadName? = symbol("pthread_setname_np")

    private static func symbol<Function>(_ name: String) -> Function? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: Function.self)
    }
}
