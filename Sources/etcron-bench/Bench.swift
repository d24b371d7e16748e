import ArgumentParser

/// `etcron-bench`: commands that measure and print figures as `name: value unit` lines,
/// each compared against a baseline measured in the same run.
@main
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "etcron-bench",
        abstract: "Benchmarks for etcron; prints one `name: value unit` line per figure.",
        subcommands: [
            ScheduleBenchmark.self,
            EtcdBenchmark.self,
            FailoverBenchmark.self,
            SchedulerBenchmark.self,
            APIBenchmark.self,
            HerdBenchmark.self,
            RunnerBenchmark.self,
            AuditBenchmark.self,
        ]
    )
}
