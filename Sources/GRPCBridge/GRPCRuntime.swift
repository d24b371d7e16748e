import CGRPC
import Logging

/// Initialises the gRPC C core once per process.
///
/// The core is never shut down: its global state costs little, and `grpc_shutdown` racing
/// a late `grpc_init` (tests open and close many channels) is a source of hangs we avoid.
enum GRPCRuntime {
    private static let initialised: Bool = {
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
}
