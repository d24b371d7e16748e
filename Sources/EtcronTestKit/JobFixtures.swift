import EtcronCore
import EtcronProto
import Foundation

/// Valid jobs to start tests from.
public enum JobFixtures {
    /// A valid exec job.
    public static func spec(tenant: String = "payments", name: String = "settle", schedule: String = "*/5 * * * *") -> Etcron_V1_JobSpec {
        var spec = Etcron_V1_JobSpec()
        spec.tenant = tenant
        spec.name = name
        spec.schedule = schedule
        var exec = Etcron_V1_ExecTarget()
        exec.command = "/bin/true"
        spec.target.exec = exec
        return spec
    }

    /// A valid HTTP job with every optional field set.
    public static func fullSpec() -> Etcron_V1_JobSpec {
        var spec = spec(schedule: "H 2 * * 1-5")
        spec.timeZone = "Europe/Berlin"
        spec.concurrencyPolicy = .forbid
        spec.startingDeadlineSeconds = 300
        spec.suspend = true
        var http = Etcron_V1_HttpTarget()
        http.method = "POST"
        http.url = "https://example.com/hooks/settle?x=1"
        http.headers = ["Authorization": "Bearer t", "X-Team": "payments"]
        http.body = Data(#"{"all":true}"#.utf8)
        http.expectedStatus = [200, 202]
        spec.target.http = http
        spec.retry.maxRetries = 3
        spec.retry.initialBackoffMs = 1000
        spec.retry.maxBackoffMs = 60000
        spec.attemptTimeoutSeconds = 900
        spec.history.succeeded = 5
        spec.history.failed = 20
        spec.labels = ["team": "payments", "example.com/tier": "gold"]
        spec.description_p = "Settles the day's invoices."
        spec.owner = "payments-oncall"
        return spec
    }

    /// A DNS subdomain of exactly `length` characters: labels of 63 separated by dots.
    public static func longName(_ length: Int) -> String {
        var name = ""
        while name.count < length {
            if !name.isEmpty, name.count % 64 == 63 { name += "." } else { name += "a" }
        }
        return name
    }
}
