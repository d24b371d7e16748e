import CGRPC
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Initialises the gRPC C core once per process.
///
/// The core is never shut down: its global state costs little, and `grpc_shutdown` racing
/// a late `grpc_init` (tests open and close many channels) is a source of hangs we avoid.
enum GRPCRuntime {
    private static let initialised: Bool = {
        disableAbseilDeadlockDetection()
        grpc_init()
        return true
    }()

    /// Makes sure `grpc_init` ran; cheap after the first call.
    static func ensureInitialised() {
        _ = initialised
    }

    /// The version of the core's ABI (e.g. "29.0.0"), not the release number.
    static var coreVersion: String {
        ensureInitialised()
        return String(cString: grpc_version_string())
    }

    /// Debian builds abseil without `NDEBUG`, which leaves `absl::Mutex`'s debug-only
    /// deadlock detection on: every mutex the C core takes or destroys (several per call)
    /// then updates one process-wide lock graph under one global lock. That cost a few
    /// percent of the client's CPU per call and serialised the client's threads. Release
    /// builds of abseil have it off; this switches it off the same way, through
    /// `absl::SetMutexDeadlockDetectionMode(OnDeadlockCycle::kIgnore)`. The function is C++,
    /// so it is looked up by its mangled name (Debian's inline namespace `debian3`); where
    /// the symbol is absent (another abseil build) nothing changes.
    private static func disableAbseilDeadlockDetection() {
        #if canImport(Glibc)
        typealias SetMode = @convention(c) (Int32) -> Void
        let name = "_ZN4absl7debian329SetMutexDeadlockDetectionModeENS0_15OnDeadlockCycleE"
        // dlopen(nil) is the process's global scope: libgrpc's abseil libraries are in it.
        guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, name) else { return }
        let kIgnore: Int32 = 0
        unsafeBitCast(symbol, to: SetMode.self)(kIgnore)
        #endif
    }
}
