import EtcdClient
import EtcronProto
import Foundation
import Synchronization

/// The runs an executor is working on, by run key (a run comes through its own pointer or
/// an assignment batch). The leader touches (puts again) a run's own pointer when it
/// changes the run in a way its executor must see (a stop request), so that the executor's
/// one watch of its pointers replaces a watch per run: a touch of the pointer of a run in
/// this registry makes the run be read again, and stopped if asked.
final class ActiveRuns: Sendable {
    /// One run being claimed or executed.
    final class Entry: Sendable {
        private struct State {
            var recorder: RunRecorder?
            var runner: TargetRunner?
            /// A touch came before the runner was attached.
            var touched = false
            /// The run's own pointer, once one was seen (deleted with the run's end).
            var pointer: String?
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

        /// Remembers the run's own pointer, to delete with the run's end.
        func note(pointer: String) {
            state.withLock { $0.pointer = pointer }
        }

        /// The run's own pointer, if one was seen.
        var pointer: String? { state.withLock { $0.pointer } }

        /// Deletes the run's own pointer, if one was seen: what goes with the run's end.
        var pointerDeletes: [TxnOperation] { pointer.map { [.delete(.key($0))] } ?? [] }

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

    /// Registers the run at `runKey`: its entry, and whether it is new (false: the run is
    /// already being claimed or executed, and a pointer event for it is a touch).
    func begin(_ runKey: String) -> (entry: Entry, new: Bool) {
        entries.withLock { entries in
            if let entry = entries[runKey] { return (entry, false) }
            let entry = Entry()
            entries[runKey] = entry
            return (entry, true)
        }
    }

    /// Forgets the run at `runKey` once it is done with.
    func end(_ runKey: String) {
        _ = entries.withLock { $0.removeValue(forKey: runKey) }
    }

    /// How many runs are being claimed or executed.
    var count: Int { entries.withLock { $0.count } }
}
