import EtcdClient
import EtcronProto
import Foundation
import Synchronization

/// The runs an executor is working on, by assignment pointer. The leader touches (puts
/// again) a run's pointer when it changes the run in a way its executor must see (a stop
/// request), so that the executor's one watch of its pointers replaces a watch per run:
/// a touch of a pointer in this registry makes its run be read again, and stopped if asked.
final class ActiveRuns: Sendable {
    /// One run being claimed or executed.
    final class Entry: Sendable {
        private struct State {
            var recorder: RunRecorder?
            var runner: TargetRunner?
            /// A touch came before the runner was attached.
            var touched = false
        }

        private let state = Mutex(State())

        /// Attaches the claimed run's recorder and runner; true if a touch came before, so
        /// the caller reads the run again now.
        func attach(_ recorder: RunRecorder, _ runner: TargetRunner) -> Bool {
            state.withLock { state in
                state.recorder = recorder
                state.runner = runner
                return state.touched
            }
        }

        /// The recorder and runner to act on for a touch; nil (remembered) before they are
        /// attached.
        func touch() -> (RunRecorder, TargetRunner)? {
            state.withLock { state in
                guard let recorder = state.recorder, let runner = state.runner else {
                    state.touched = true
                    return nil
                }
                return (recorder, runner)
            }
        }
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Registers `pointer`; nil when it is already active (the event is a touch).
    func begin(_ pointer: String) -> Entry? {
        entries.withLock { entries in
            guard entries[pointer] == nil else { return nil }
            let entry = Entry()
            entries[pointer] = entry
            return entry
        }
    }

    /// The active entry of `pointer`, if any.
    func entry(_ pointer: String) -> Entry? {
        entries.withLock { $0[pointer] }
    }

    /// Forgets `pointer` once its run is done with.
    func end(_ pointer: String) {
        _ = entries.withLock { $0.removeValue(forKey: pointer) }
    }

    /// How many runs are being claimed or executed.
    var count: Int { entries.withLock { $0.count } }
}
