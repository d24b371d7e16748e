/// Runs `body` once for every item through a task group that keeps `width` calls
/// outstanding: a new child task starts each time one finishes, as an application with
/// a bounded number of concurrent requests would. The first failure ends the run.
func inFlight<Item: Sendable>(
    _ items: [Item],
    width: Int,
    _ body: @escaping @Sendable (Item) async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        while next < min(max(width, 1), items.count) {
            let item = items[next]
            group.addTask { try await body(item) }
            next += 1
        }
        while try await group.next() != nil {
            guard next < items.count else { continue }
            let item = items[next]
            group.addTask { try await body(item) }
            next += 1
        }
    }
}

/// Like `inFlight(_:width:_:)`, collecting each call's result (in completion order).
func inFlightResults<Item: Sendable, Result: Sendable>(
    _ items: [Item],
    width: Int,
    _ body: @escaping @Sendable (Item) async throws -> Result
) async throws -> [Result] {
    try await withThrowingTaskGroup(of: Result.self) { group in
        var results: [Result] = []
        results.reserveCapacity(items.count)
        var next = 0
        while next < min(max(width, 1), items.count) {
            let item = items[next]
            group.addTask { try await body(item) }
            next += 1
        }
        while let result = try await group.next() {
            results.append(result)
            guard next < items.count else { continue }
            let item = items[next]
            group.addTask { try await body(item) }
            next += 1
        }
        return results
    }
}
